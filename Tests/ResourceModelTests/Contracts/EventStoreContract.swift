import Foundation
import LwM2M
import Testing

@testable import ResourceModel

/// The `EventStore` contract, for every backend in `storeFactories`.
@Suite("EventStore contract")
struct EventStoreContract {
    static let environment = EventRule(
        name: "environment", resourceTypes: [ResourceTypeKey(objectID: 3303, resourceID: 5700)])

    @Test("rules: new or replaced, sorted by name, deleted once", arguments: storeFactories)
    func rules(_ factory: StoreFactory) async throws {
        let store = try factory.make().events
        #expect(try await store.eventRules().isEmpty)
        #expect(try await store.saveEventRule(Self.environment, at: t0))
        let battery = EventRule(name: "battery", resourceTypes: [ResourceTypeKey(objectID: 3, resourceID: 9)])
        #expect(try await store.saveEventRule(battery, at: t0))
        var replaced = Self.environment
        replaced.resourceTypes.append(ResourceTypeKey(objectID: 3304, resourceID: 5700))
        #expect(try await store.saveEventRule(replaced, at: t0) == false)
        #expect(try await store.eventRules() == [battery, replaced])
        #expect(try await store.deleteEventRule(named: "battery"))
        #expect(try await store.deleteEventRule(named: "battery") == false)
        #expect(try await store.eventRules() == [replaced])
    }

    @Test("a matching report makes one event with its values; filters and limits apply; deleting the rule keeps it",
          arguments: storeFactories)
    func eventsFromWrites(_ factory: StoreFactory) async throws {
        let stores = try factory.make()
        try await stores.register(["dev-1", "dev-2"])
        try await stores.events.saveEventRule(Self.environment, at: t0)
        let outcomes = try await stores.telemetry.write([
            report(at: t0, [value("/3303/0/5700", .float(21)), value("/3/0/9", .integer(5))]),
            report(at: t0.addingTimeInterval(1), [value("/3/0/9", .integer(4))]),
            report(endpoint: "dev-2", at: t0.addingTimeInterval(2), [value("/3303/0/5700", .float(30))]),
        ])
        guard case .stored(_, _, let created) = outcomes[0] else { Issue.record("not stored"); return }
        #expect(created.map(\.type) == ["environment"])
        #expect(created.first?.values == [value("/3303/0/5700", .float(21))])
        #expect(outcomes[1] == .stored(stored: 1, skipped: 0, events: []))

        let store = stores.events
        let all = try #require(try await store.events(type: nil, endpoint: nil, from: nil, to: nil, limit: 100))
        #expect(all.map(\.endpoint) == ["dev-2", "dev-1"])
        #expect(all.last?.id == created.first?.id)
        #expect(all.last?.values.map(\.value) == [.float(21)])
        #expect(all.last?.timestamp == t0)
        #expect(try await store.events(type: nil, endpoint: "dev-1", from: nil, to: nil, limit: 100)?.count == 1)
        #expect(try await store.events(type: "other", endpoint: nil, from: nil, to: nil, limit: 100) == [])
        #expect(try await store.events(type: nil, endpoint: nil, from: nil, to: nil, limit: 1)?.map(\.endpoint) == ["dev-2"])
        #expect(try await store.events(
            type: nil, endpoint: nil, from: t0, to: t0.addingTimeInterval(2), limit: 100)?.map(\.endpoint) == ["dev-1"])
        #expect(try await store.events(type: nil, endpoint: "ghost", from: nil, to: nil, limit: 100) == nil)

        #expect(try await store.deleteEventRule(named: "environment"))
        #expect(try await store.events(type: "environment", endpoint: nil, from: nil, to: nil, limit: 100)?.count == 2)
    }
}
