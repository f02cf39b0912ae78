import Foundation
import GRDB
import LwM2M
import Testing

@testable import ResourceModel

@Suite("Schema v2")
struct MigrationV2Tests {
    @Test("v2 adds the telemetry tables and replaces the series index")
    func tables() async throws {
        let database = try AppDatabase.inMemory()
        let (tables, resourceIndexes) = try await database.writer.read { db in
            (
                try ["resource_latest", "event_rule", "observation", "observation_profile"].filter { try db.tableExists($0) },
                try db.indexes(on: "resource").map(\.name).sorted()
            )
        }
        #expect(tables == ["resource_latest", "event_rule", "observation", "observation_profile"])
        #expect(resourceIndexes == ["resource_on_resourceTypeId", "resource_on_series"])
    }

    @Test("a one-series range query uses resource_on_series (EXPLAIN QUERY PLAN)", arguments: ["/3303/0/5700", "/3/0/7/1"])
    func seriesQueryUsesIndex(path: String) async throws {
        let database = try await makeTelemetryDatabase()
        let query = TelemetryQuery(
            endpoint: "dev-1", path: try LwM2MPath(path), from: t0, to: t0.addingTimeInterval(60), limit: 10,
            cursor: TelemetryCursor(timestamp: 5, id: 9))
        let plan = try await database.writer.read { db in
            try Row.fetchAll(
                db,
                sql: "EXPLAIN QUERY PLAN SELECT id, timestamp, valueReal, valueText FROM resource WHERE \(AppDatabase.seriesCondition(query.path)) "
                    + "AND (timestamp, id) < (?, ?) ORDER BY timestamp DESC, id DESC LIMIT ?",
                arguments: AppDatabase.seriesArguments(query, endpointID: 1, typeID: 1) + [5, 9, 11]
            ).map { $0["detail"] as String }
        }
        #expect(plan.count == 1)
        #expect(plan.first?.hasPrefix("SEARCH resource USING INDEX resource_on_series") == true, "\(plan)")
        #expect(!plan.joined().contains("TEMP B-TREE"), "sorting must come from the index: \(plan)")
    }

    @Test("upgrading a v1 database fills resource_latest with the newest row of every series")
    func upgradeFromV1() async throws {
        let queue = try DatabaseQueue(configuration: AppDatabase.configuration(label: "upgrade"))
        try AppDatabase.migrator.migrate(queue, upTo: "v1")
        try await queue.write { db in
            try db.execute(sql: """
                INSERT INTO endpoint (name, lwm2mVersion, binding, queueMode, lifetime, rootPath, objectLinks,
                    supportedContentFormats, address, registeredAt, lastSeen, online, createdAt)
                VALUES ('old', '1.1', 'U', 0, 60, '/', '[]', '[]', '192.0.2.1:5683', 0, 0, 1, 0);
                INSERT INTO resource_type (objectId, resourceId, name, dataType) VALUES (3303, 5700, 'Sensor Value', 'Float');
                INSERT INTO resource (endpointId, resourceTypeId, objectInstanceId, valueReal, timestamp, receivedAt)
                    VALUES (1, 1, 0, 20.0, 1000, 1000), (1, 1, 0, 22.0, 3000, 3000), (1, 1, 0, 21.0, 2000, 4000),
                           (1, 1, 1, 5.0, 1000, 1000);
                """)
        }
        let database = try AppDatabase(queue)
        let latest = try #require(try await database.latestValues(endpoint: "old"))
        #expect(latest == [
            LatestValue(path: try LwM2MPath("/3303/0/5700"), timestamp: Date(timeIntervalSince1970: 3), dataType: .float, value: .float(22)),
            LatestValue(path: try LwM2MPath("/3303/1/5700"), timestamp: Date(timeIntervalSince1970: 1), dataType: .float, value: .float(5)),
        ])
    }

    @Test("latest values come from resource_latest, not a scan of resource (EXPLAIN QUERY PLAN)")
    func latestUsesIndex() async throws {
        let database = try await makeTelemetryDatabase()
        let plan = try await database.writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    EXPLAIN QUERY PLAN
                    SELECT r.timestamp FROM resource_latest AS l JOIN resource AS r ON r.id = l.resourceId
                    JOIN resource_type AS t ON t.id = l.resourceTypeId WHERE l.endpointId = 1
                    """
            ).map { $0["detail"] as String }
        }
        #expect(!plan.contains { $0.hasPrefix("SCAN r") || $0.hasPrefix("SCAN resource") }, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH l") || $0.contains("SEARCH resource_latest") }, "\(plan)")
    }
}
