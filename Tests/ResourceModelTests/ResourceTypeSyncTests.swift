import Foundation
import GRDB
import LwM2M
import Testing

@testable import ResourceModel

@Suite("AppDatabase.syncResourceTypes")
struct ResourceTypeSyncTests {
    /// Device 1.0 (older, different names) and 1.2 (newest), and a Temperature object.
    static func registry(batteryUnits: String = "%", temperatureName: String = "Sensor Value") -> ObjectModelRegistry {
        let device10 = ObjectDefinition(
            id: 3, name: "Device", version: "1.0", multipleInstances: false, mandatory: true,
            resources: [
                0: ResourceDefinition(id: 0, name: "Old Manufacturer", operations: .read, multiple: false, mandatory: false, type: .string),
                99: ResourceDefinition(id: 99, name: "Only In 1.0", operations: .read, multiple: false, mandatory: false, type: .integer),
            ])
        let device12 = ObjectDefinition(
            id: 3, name: "Device", version: "1.2", multipleInstances: false, mandatory: true,
            resources: [
                0: ResourceDefinition(id: 0, name: "Manufacturer", operations: .read, multiple: false, mandatory: false, type: .string),
                4: ResourceDefinition(id: 4, name: "Reboot", operations: .execute, multiple: false, mandatory: true, type: .none),
                6: ResourceDefinition(id: 6, name: "Available Power Sources", operations: .read, multiple: true, mandatory: false, type: .integer),
                9: ResourceDefinition(id: 9, name: "Battery Level", operations: .read, multiple: false, mandatory: false, type: .integer, units: batteryUnits),
                13: ResourceDefinition(id: 13, name: "Current Time", operations: [.read, .write], multiple: false, mandatory: false, type: .time),
            ])
        let temperature = ObjectDefinition(
            id: 3303, name: "Temperature", version: "1.1", multipleInstances: true, mandatory: false,
            resources: [
                5700: ResourceDefinition(id: 5700, name: temperatureName, operations: .read, multiple: false, mandatory: true, type: .float, units: "Cel"),
                5750: ResourceDefinition(id: 5750, name: "Application Type", operations: [.read, .write], multiple: false, mandatory: false, type: .string),
            ])
        return ObjectModelRegistry(definitions: [temperature, device12, device10])
    }

    /// The rows as comparable tuples-in-strings, without ids.
    static func rows(_ database: AppDatabase) async throws -> [String] {
        try await database.resourceTypeRecords().map {
            "\($0.objectId)/\($0.resourceId) \($0.name)|\($0.dataType)|\($0.units ?? "nil")|\($0.multiple)|\($0.mandatory)|\($0.operations)"
        }
    }

    @Test("one row per resource of the newest version of every object, with DDF type names")
    func firstSync() async throws {
        let database = try AppDatabase.inMemory()
        let result = try await database.syncResourceTypes(from: Self.registry())
        #expect(result == .init(inserted: 7, updated: 0, unchanged: 0))
        #expect(try await Self.rows(database) == [
            "3/0 Manufacturer|String|nil|false|false|R",
            "3/4 Reboot||nil|false|true|E",
            "3/6 Available Power Sources|Integer|nil|true|false|R",
            "3/9 Battery Level|Integer|%|false|false|R",
            "3/13 Current Time|Time|nil|false|false|RW",
            "3303/5700 Sensor Value|Float|Cel|false|true|R",
            "3303/5750 Application Type|String|nil|false|false|RW",
        ])
    }

    @Test("running it twice changes nothing: no row is written")
    func idempotent() async throws {
        let database = try AppDatabase.inMemory()
        try await database.syncResourceTypes(from: Self.registry())
        let before = try await database.resourceTypeRecords()
        // An in-memory database is one connection, so its total change count sees every write.
        let changesBefore = try await database.writer.read { db in db.totalChangesCount }
        let result = try await database.syncResourceTypes(from: Self.registry())
        let changesAfter = try await database.writer.read { db in db.totalChangesCount }
        #expect(result == .init(inserted: 0, updated: 0, unchanged: 7))
        #expect(changesAfter == changesBefore)
        #expect(try await database.resourceTypeRecords() == before)
    }

    @Test("a changed definition updates its row in place; stored values keep their type row")
    func updates() async throws {
        let database = try AppDatabase.inMemory()
        try await database.apply([.registered(makeRegistration(), replaced: nil)])
        try await database.syncResourceTypes(from: Self.registry())
        let before = try await database.resourceTypeRecords()
        let batteryID = try #require(before.first { $0.objectId == 3 && $0.resourceId == 9 }?.id)
        try await database.writer.write { db in
            try db.execute(sql: """
                INSERT INTO resource (endpointId, resourceTypeId, objectInstanceId, valueInteger, timestamp, receivedAt)
                VALUES ((SELECT id FROM endpoint), ?, 0, 87, 1, 2)
                """, arguments: [batteryID])
        }

        let result = try await database.syncResourceTypes(
            from: Self.registry(batteryUnits: "", temperatureName: "Temperature Value"))

        #expect(result == .init(inserted: 0, updated: 2, unchanged: 5))
        let after = try await database.resourceTypeRecords()
        #expect(after.map(\.id) == before.map(\.id))
        #expect(after.first { $0.resourceId == 9 }?.units == nil)
        #expect(after.first { $0.resourceId == 5700 }?.name == "Temperature Value")
        let stored = try await database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM resource WHERE resourceTypeId = ?", arguments: [batteryID])
        }
        #expect(stored == 1)
    }

    @Test("rows of resources the registry no longer has are kept (deleting would cascade to stored values)")
    func keepsRemoved() async throws {
        let database = try AppDatabase.inMemory()
        try await database.syncResourceTypes(from: Self.registry())
        let result = try await database.syncResourceTypes(from: ObjectModelRegistry())
        #expect(result == .init())
        #expect(try await database.resourceTypeRecords().count == 7)
    }

    @Test("the project's own object definitions sync completely")
    func builtinDefinitions() async throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("ObjectDefinitions")
        let (registry, diagnostics) = ObjectModelRegistry.load(directories: [directory])
        #expect(diagnostics.isEmpty)
        let expected = registry.objectIDs.compactMap { registry.object($0) }.reduce(0) { $0 + $1.resources.count }
        #expect(expected > 100)
        let database = try AppDatabase.inMemory()
        #expect(try await database.syncResourceTypes(from: registry).inserted == expected)
        #expect(try await database.syncResourceTypes(from: registry).unchanged == expected)
        let battery = try await database.resourceTypeRecords().first { $0.objectId == 3 && $0.resourceId == 9 }
        #expect(battery?.name == "Battery Level")
        #expect(battery?.dataType == "Integer")
        #expect(battery?.units == "/100")
    }
}
