import Foundation
import LwM2M
import Testing

@testable import ResourceModel

/// The `TelemetryStore` contract, for every backend in `storeFactories`.
@Suite("TelemetryStore contract")
struct TelemetryStoreContract {
    static let temperature = try! LwM2MPath("/3303/0/5700")

    /// Stores with `dev-1` registered and `count` temperatures 1 s apart from t0 (values 20, 21, ...).
    static func seeded(_ factory: StoreFactory, count: Int = 5) async throws -> Stores {
        let stores = try factory.make()
        try await stores.register(["dev-1"])
        let values = (0..<count).map {
            value("/3303/0/5700", .float(20 + Double($0)), at: t0.addingTimeInterval(Double($0)))
        }
        _ = try await stores.telemetry.write([report(values)])
        return stores
    }

    @Test("a report of an unknown endpoint is not stored; queries of it are nil", arguments: storeFactories)
    func unknownEndpoint(_ factory: StoreFactory) async throws {
        let store = try factory.make().telemetry
        let outcomes = try await store.write([report(endpoint: "ghost", [value("/3303/0/5700", .float(1))])])
        #expect(outcomes == [.unknownEndpoint])
        #expect(try await store.telemetry(TelemetryQuery(endpoint: "ghost", path: Self.temperature)) == nil)
        #expect(try await store.telemetryBuckets(
            TelemetryQuery(endpoint: "ghost", path: Self.temperature), width: 1000, aggregation: .count) == nil)
        #expect(try await store.latestValues(endpoint: "ghost") == nil)
    }

    @Test("one outcome per report, in order; values off a resource path are skipped", arguments: storeFactories)
    func outcomes(_ factory: StoreFactory) async throws {
        let stores = try factory.make()
        try await stores.register(["dev-1"])
        let outcomes = try await stores.telemetry.write([
            report([value("/3303/0/5700", .float(1)), value("/3303/0", .float(2)), value("/3/0/9", .integer(80))]),
            report(endpoint: "ghost", [value("/3303/0/5700", .float(1))]),
            report([value("/3303/0/5700", .float(3))]),
        ])
        #expect(outcomes == [
            .stored(stored: 2, skipped: 1, events: []), .unknownEndpoint, .stored(stored: 1, skipped: 0, events: []),
        ])
    }

    @Test("values read back in both orders with their types; an endpoint without values has an empty page",
          arguments: storeFactories)
    func roundTrip(_ factory: StoreFactory) async throws {
        let stores = try await Self.seeded(factory)
        let store = stores.telemetry
        let ascending = try #require(try await store.telemetry(
            TelemetryQuery(endpoint: "dev-1", path: Self.temperature, order: .ascending)))
        #expect(ascending.dataType == .float)
        #expect(ascending.points.map(\.value) == [20, 21, 22, 23, 24].map { LwM2MValue.float($0) })
        #expect(ascending.points.map(\.timestamp) == (0..<5).map { t0.addingTimeInterval(Double($0)) })
        #expect(ascending.nextCursor == nil)
        let descending = try #require(try await store.telemetry(TelemetryQuery(endpoint: "dev-1", path: Self.temperature)))
        #expect(descending.points.map(\.value) == [24, 23, 22, 21, 20].map { LwM2MValue.float($0) })

        try await stores.register(["dev-2"])
        let empty = try #require(try await store.telemetry(TelemetryQuery(endpoint: "dev-2", path: Self.temperature)))
        #expect(empty.points.isEmpty)
        #expect(empty.nextCursor == nil)
    }

    @Test("from is inclusive, to exclusive", arguments: storeFactories)
    func range(_ factory: StoreFactory) async throws {
        let store = try await Self.seeded(factory).telemetry
        let page = try #require(try await store.telemetry(TelemetryQuery(
            endpoint: "dev-1", path: Self.temperature, from: t0.addingTimeInterval(1), to: t0.addingTimeInterval(3),
            order: .ascending)))
        #expect(page.points.map(\.value) == [.float(21), .float(22)])
    }

    @Test("cursor paging visits every value once, in order", arguments: storeFactories)
    func paging(_ factory: StoreFactory) async throws {
        let store = try await Self.seeded(factory, count: 7).telemetry
        var seen: [LwM2MValue?] = []
        var cursor: TelemetryCursor?
        var pages = 0
        repeat {
            let page = try #require(try await store.telemetry(TelemetryQuery(
                endpoint: "dev-1", path: Self.temperature, limit: 3, order: .ascending, cursor: cursor)))
            #expect(page.points.count <= 3)
            seen += page.points.map(\.value)
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pages == 3)
        #expect(seen == (0..<7).map { LwM2MValue.float(20 + Double($0)) })
    }

    @Test("buckets count and average per width; avg of a string series is refused", arguments: storeFactories)
    func buckets(_ factory: StoreFactory) async throws {
        let stores = try await Self.seeded(factory, count: 4)
        let store = stores.telemetry
        let query = TelemetryQuery(endpoint: "dev-1", path: Self.temperature, order: .ascending)
        let counts = try #require(try await store.telemetryBuckets(query, width: 1_000_000, aggregation: .count))
        #expect(counts.buckets.map(\.count) == [4])
        #expect(counts.buckets.first?.value == .integer(4))
        let average = try #require(try await store.telemetryBuckets(query, width: 1_000_000, aggregation: .avg))
        #expect(average.buckets.first?.value == .float(21.5))
        let max = try #require(try await store.telemetryBuckets(query, width: 1_000_000, aggregation: .max))
        #expect(max.buckets.first?.value == .float(23))

        _ = try await store.write([report([value("/3/0/0", .string("ACME"))])])
        await #expect(throws: TelemetryQueryError.self) {
            try await store.telemetryBuckets(
                TelemetryQuery(endpoint: "dev-1", path: try LwM2MPath("/3/0/0")), width: 1000, aggregation: .avg)
        }
    }

    @Test("latest values: the newest per series, sorted by path, an older late value does not win",
          arguments: storeFactories)
    func latest(_ factory: StoreFactory) async throws {
        let stores = try await Self.seeded(factory, count: 3)
        let store = stores.telemetry
        _ = try await store.write([report([
            value("/3/0/9", .integer(80), at: t0), value("/3303/0/5700", .float(-1), at: t0.addingTimeInterval(-10)),
        ])])
        let latest = try #require(try await store.latestValues(endpoint: "dev-1"))
        #expect(latest.map(\.path.description) == ["/3/0/9", "/3303/0/5700"])
        #expect(latest.map(\.value) == [.integer(80), .float(22)])
        #expect(latest.last?.timestamp == t0.addingTimeInterval(2))
        try await stores.register(["dev-2"])
        #expect(try await store.latestValues(endpoint: "dev-2") == [])
    }
}
