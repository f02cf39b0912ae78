import Foundation
import GRDB
import LwM2M
import Testing

@testable import ResourceModel

@Suite("Event rules and events")
struct EventRuleTests {
    static let environment = EventRule(
        name: "environment",
        resourceTypes: ["3303/5700", "3304/5700", "3315/5700"].compactMap(ResourceTypeKey.init))

    @Test("rules CRUD: create, replace, list sorted, delete")
    func crud() async throws {
        let database = try AppDatabase.inMemory()
        #expect(try await database.saveEventRule(Self.environment, at: t0) == true)
        #expect(try await database.saveEventRule(EventRule(name: "battery", resourceTypes: [ResourceTypeKey("3/9")!])) == true)
        let replaced = EventRule(name: "environment", resourceTypes: [ResourceTypeKey("3303/5700")!])
        #expect(try await database.saveEventRule(replaced) == false)
        #expect(try await database.eventRules().map(\.name) == ["battery", "environment"])
        #expect(try await database.eventRules().last == replaced)
        #expect(try await database.deleteEventRule(named: "battery") == true)
        #expect(try await database.deleteEventRule(named: "battery") == false)
        #expect(try await database.eventRules() == [replaced])
    }

    @Test("resource type keys parse o/r and reject the rest")
    func keys() {
        #expect(ResourceTypeKey("3303/5700") == ResourceTypeKey(objectID: 3303, resourceID: 5700))
        #expect(ResourceTypeKey("/3/9") == ResourceTypeKey(objectID: 3, resourceID: 9))
        for bad in ["3303", "3303/5700/1", "a/b", "65536/1", "03/1", "", "3/"] {
            #expect(ResourceTypeKey(bad) == nil, "\(bad)")
        }
    }

    @Test("values of one report matching a rule become one event linked to the stored rows")
    func eventsFromRules() async throws {
        let database = try await makeTelemetryDatabase()
        try await database.saveEventRule(Self.environment)
        let hub = LiveEventHub()
        let live = hub.subscribe()
        let ingest = TelemetryIngest(store: database, hub: hub, logger: quietLogger)
        _ = ingest.submit(report(at: t0, [
            value("/3303/0/5700", .float(21.5)), value("/3304/0/5700", .float(40)), value("/3/0/9", .integer(80)),
        ]))
        _ = ingest.submit(report(at: t0.addingTimeInterval(1), [value("/3/0/9", .integer(79))]))
        try await withRunning(ingest) { await ingest.waitUntilProcessed(2) }
        #expect(ingest.statistics.eventsCreated == 1)
        let events = try #require(try await database.events(type: "environment"))
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.type == "environment")
        #expect(event.endpoint == "dev-1")
        #expect(event.timestamp == t0)
        #expect(event.values == [
            LatestValue(path: try LwM2MPath("/3303/0/5700"), timestamp: t0, dataType: .float, value: .float(21.5)),
            LatestValue(path: try LwM2MPath("/3304/0/5700"), timestamp: t0, dataType: .float, value: .float(40)),
        ])
        #expect(try await count("event_resource", in: database) == 2)
        #expect(try await database.events(endpoint: "dev-2") == [])
        #expect(try await database.events(endpoint: "nobody") == nil)
        #expect(try await database.events(from: t0.addingTimeInterval(1)) == [])

        hub.finishAll()
        var names: [LiveEvent.Name] = []
        for await event in live { names.append(event.name) }
        #expect(names == [.notification, .event, .notification])
    }

    @Test("a rule saved while the ingest runs applies from the next batch (cache reloaded)")
    func ruleCacheReload() async throws {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(store: database, logger: quietLogger)
        try await withRunning(ingest) {
            _ = ingest.submit(report([value("/3303/0/5700", .float(1))]))
            await ingest.waitUntilProcessed(1)
            try await database.saveEventRule(Self.environment)
            _ = ingest.submit(report([value("/3303/0/5700", .float(2))]))
            await ingest.waitUntilProcessed(2)
            try await database.deleteEventRule(named: "environment")
            _ = ingest.submit(report([value("/3303/0/5700", .float(3))]))
            await ingest.waitUntilProcessed(3)
        }
        let events = try #require(try await database.events())
        #expect(events.map { $0.values.map(\.value) } == [[.float(2)]])
    }
}
