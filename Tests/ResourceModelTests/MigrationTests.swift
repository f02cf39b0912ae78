import Foundation
import GRDB
import Testing

@testable import ResourceModel

@Suite("Schema v1")
struct MigrationTests {
    static let tables = [
        "endpoint", "resource_type", "resource", "event", "event_resource", "endpoint_operation",
        "endpoint_operation_history", "firmware", "firmware_update",
    ]

    @Test("v1 creates every table and is recorded as applied")
    func createsTables() async throws {
        let database = try AppDatabase.inMemory()
        let (existing, applied) = try await database.writer.read { db in
            (try Self.tables.filter { try db.tableExists($0) }, try AppDatabase.migrator.appliedIdentifiers(db))
        }
        #expect(existing == Self.tables)
        #expect(applied == ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9"])
    }

    @Test("every foreign key cascades on delete", arguments: [
        ("resource", "endpoint"), ("resource", "resource_type"), ("event", "endpoint"),
        ("event_resource", "event"), ("event_resource", "resource"), ("endpoint_operation", "endpoint"),
        ("endpoint_operation_history", "endpoint_operation"), ("firmware_update", "endpoint"),
        ("firmware_update", "firmware"),
    ])
    func foreignKeys(table: String, parent: String) async throws {
        let database = try AppDatabase.inMemory()
        let onDelete = try await database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \"table\", on_delete FROM pragma_foreign_key_list(?)", arguments: [table])
                .filter { ($0["table"] as String) == parent }
                .map { $0["on_delete"] as String }
        }
        #expect(onDelete == ["CASCADE"])
    }

    @Test("connections enforce foreign keys")
    func foreignKeysEnabled() async throws {
        let database = try AppDatabase.inMemory()
        let enabled = try await database.writer.read { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") }
        #expect(enabled == 1)
        await #expect(throws: DatabaseError.self) {
            try await database.writer.write { db in
                try db.execute(sql: """
                    INSERT INTO event (endpointId, type, timestamp) VALUES (4242, 'x', 0)
                    """)
            }
        }
    }

    @Test("indexes: series lookup, operation queue, unique names and registration ids")
    func indexes() async throws {
        let database = try AppDatabase.inMemory()
        let indexes = try await database.writer.read { db in
            try ["endpoint", "resource", "resource_type", "endpoint_operation"].reduce(into: [String: [IndexInfo]]()) {
                $0[$1] = try db.indexes(on: $1)
            }
        }
        let resource = indexes["resource", default: []].map(\.columns)
        #expect(resource.contains(["endpointId", "resourceTypeId", "objectInstanceId", "resourceInstanceId", "timestamp"]))
        let queue = indexes["endpoint_operation", default: []].map(\.columns)
        #expect(queue.contains(["endpointId", "status", "priority", "createdAt"]))
        let endpoint = indexes["endpoint", default: []]
        #expect(endpoint.contains { $0.columns == ["name"] && $0.isUnique })
        #expect(endpoint.contains { $0.columns == ["registrationId"] && $0.isUnique })
        #expect(indexes["resource_type", default: []].contains { $0.columns == ["objectId", "resourceId"] && $0.isUnique })
    }

    @Test("deleting an endpoint deletes its resources and events")
    func cascade() async throws {
        let database = try AppDatabase.inMemory()
        try await database.apply([.registered(makeRegistration(), replaced: nil)])
        let counts = try await database.writer.write { db -> [Int] in
            let endpointId = try Int64.fetchOne(db, sql: "SELECT id FROM endpoint WHERE name = 'dev-1'")
            try db.execute(sql: """
                INSERT INTO resource_type (objectId, resourceId, name, dataType) VALUES (3, 0, 'Manufacturer', 'String');
                INSERT INTO resource (endpointId, resourceTypeId, objectInstanceId, valueText, timestamp, receivedAt)
                    VALUES (?, last_insert_rowid(), 0, 'ACME', 1, 2);
                INSERT INTO event (endpointId, type, timestamp) VALUES (?, 'notify', 1);
                INSERT INTO event_resource (eventId, resourceId) VALUES (last_insert_rowid(), (SELECT max(id) FROM resource));
                """, arguments: [endpointId, endpointId])
            try db.execute(sql: "DELETE FROM endpoint WHERE id = ?", arguments: [endpointId])
            return try ["resource", "event", "event_resource", "resource_type"].map {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? -1
            }
        }
        #expect(counts == [0, 0, 0, 1])
    }

    @Test("a resource row holds at most one value")
    func oneValue() async throws {
        let database = try AppDatabase.inMemory()
        try await database.apply([.registered(makeRegistration(), replaced: nil)])
        await #expect(throws: DatabaseError.self) {
            try await database.writer.write { db in
                try db.execute(sql: """
                    INSERT INTO resource_type (objectId, resourceId, name, dataType) VALUES (3, 9, 'Battery', 'Integer');
                    INSERT INTO resource (endpointId, resourceTypeId, objectInstanceId, valueInteger, valueText, timestamp, receivedAt)
                        VALUES ((SELECT id FROM endpoint), last_insert_rowid(), 0, 1, 'one', 1, 2);
                    """)
            }
        }
    }

    @Test("a file database is WAL, synchronous NORMAL, and keeps its data across reopening")
    func fileDatabaseSurvivesReopen() async throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("nested/data", isDirectory: true)

        do {
            let first = try AppDatabase.open(directory: directory)
            try await first.apply([
                .registered(makeRegistration(endpoint: "kept-online", id: "r1"), replaced: nil),
                .registered(makeRegistration(endpoint: "went-offline", id: "r2"), replaced: nil),
                .deregistered(makeRegistration(endpoint: "went-offline", id: "r2")),
            ])
            let settings = try await first.writer.read { db in
                [
                    try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                    try Int.fetchOne(db, sql: "PRAGMA synchronous").map(String.init),
                    try Int.fetchOne(db, sql: "PRAGMA foreign_keys").map(String.init),
                ]
            }
            #expect(settings == ["wal", "1", "1"])
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("lwm2m.sqlite").path))
        }  // `first` is released here, closing its connections.
        let second = try AppDatabase.open(directory: directory)
        #expect(try await second.onlineRegistrations() == [makeRegistration(endpoint: "kept-online", id: "r1")])
        let names = try await second.endpoints().map(\.name)
        #expect(names == ["kept-online", "went-offline"])
        #expect(try await second.endpoint(named: "went-offline")?.online == false)
    }
}
