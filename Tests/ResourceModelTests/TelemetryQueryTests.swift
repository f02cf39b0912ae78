import Foundation
import GRDB
import LwM2M
import Testing

@testable import ResourceModel

@Suite("Telemetry queries")
struct TelemetryQueryTests {
    /// A database with `count` values of /3303/0/5700 for dev-1, one per second from t0 (value = index), in
    /// reports of 10; several share a timestamp when `duplicates` (to exercise the id tie-break).
    static func seriesDatabase(count: Int = 95, duplicates: Bool = false) async throws -> AppDatabase {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(store: database, logger: quietLogger)
        let reports = stride(from: 0, to: count, by: 10).map { start in
            report(at: t0, (start..<min(start + 10, count)).map { index in
                let second = duplicates ? Double(index / 3) : Double(index)
                return value("/3303/0/5700", .float(Double(index)), at: t0.addingTimeInterval(second))
            })
        }
        for report in reports { #expect(ingest.submit(report)) }
        _ = ingest.submit(report(endpoint: "dev-2", [value("/3303/0/5700", .float(-1), at: t0)]))
        try await withRunning(ingest) { await ingest.waitUntilProcessed(reports.count + 1) }
        return database
    }

    static let temperature = try! LwM2MPath("/3303/0/5700")

    @Test("keyset paging visits every value exactly once, in both orders", arguments: [TelemetryQuery.Order.ascending, .descending])
    func paging(order: TelemetryQuery.Order) async throws {
        let database = try await Self.seriesDatabase(duplicates: true)
        var seen: [Double] = []
        var cursor: TelemetryCursor?
        var pages = 0
        repeat {
            let page = try #require(try await database.telemetry(
                TelemetryQuery(endpoint: "dev-1", path: Self.temperature, limit: 10, order: order, cursor: cursor)))
            seen += page.points.compactMap { if case .float(let x) = $0.value { x } else { nil } }
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 50
        #expect(pages == 10)
        #expect(seen.count == 95)
        #expect(Set(seen).count == 95)
        let expected = (0..<95).map(Double.init)
        #expect(seen.sorted() == expected)
        // Within one timestamp the row order decides; the timestamps themselves are monotonic.
        let timestamps = seen.map { Int($0) / 3 }
        #expect(timestamps == (order == .ascending ? timestamps.sorted() : timestamps.sorted(by: >)))
    }

    @Test("rows stored near Int64.max milliseconds (before times were range-checked) page exactly once",
          arguments: [TelemetryQuery.Order.ascending, .descending])
    func pagingAtTheEndOfTime(order: TelemetryQuery.Order) async throws {
        let database = try await Self.seriesDatabase(count: 6)
        // Distinct instants that one `Double` cannot tell apart (2^63 − k for small k).
        try await database.writer.write { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM resource WHERE valueReal >= 0 ORDER BY id")
            for (k, id) in ids.enumerated() {
                try db.execute(sql: "UPDATE resource SET timestamp = ? WHERE id = ?", arguments: [Int64.max - Int64(k), id])
            }
        }
        var seen: [Double] = []
        var cursor: TelemetryCursor?
        var pages = 0
        repeat {
            let page = try #require(try await database.telemetry(
                TelemetryQuery(endpoint: "dev-1", path: Self.temperature, limit: 1, order: order, cursor: cursor)))
            seen += page.points.compactMap { if case .float(let x) = $0.value { x } else { nil } }
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 20
        #expect(seen.sorted() == (0..<6).map(Double.init), "\(seen)")
        #expect(seen == (order == .descending ? [0, 1, 2, 3, 4, 5] : [5, 4, 3, 2, 1, 0]))
    }

    @Test("newest first by default; from inclusive, to exclusive; limit")
    func range() async throws {
        let database = try await Self.seriesDatabase()
        let page = try #require(try await database.telemetry(TelemetryQuery(
            endpoint: "dev-1", path: Self.temperature, from: t0.addingTimeInterval(10), to: t0.addingTimeInterval(15))))
        #expect(page.points.map(\.value) == [14, 13, 12, 11, 10].map { LwM2MValue.float($0) })
        #expect(page.points.first?.timestamp == t0.addingTimeInterval(14))
        #expect(page.nextCursor == nil)
        #expect(page.dataType == .float)
        let limited = try #require(try await database.telemetry(TelemetryQuery(endpoint: "dev-1", path: Self.temperature, limit: 3)))
        #expect(limited.points.map(\.value) == [94, 93, 92].map { LwM2MValue.float($0) })
        #expect(limited.nextCursor != nil)
    }

    @Test("unknown endpoint is nil; a never-stored resource is an empty page")
    func unknowns() async throws {
        let database = try await Self.seriesDatabase(count: 5)
        #expect(try await database.telemetry(TelemetryQuery(endpoint: "nobody", path: Self.temperature)) == nil)
        let empty = try await database.telemetry(TelemetryQuery(endpoint: "dev-1", path: try LwM2MPath("/4/0/2")))
        #expect(empty == TelemetryPage(dataType: nil, points: [], nextCursor: nil))
        let otherInstance = try await database.telemetry(TelemetryQuery(endpoint: "dev-1", path: try LwM2MPath("/3303/1/5700")))
        #expect(otherInstance == TelemetryPage(dataType: .float, points: [], nextCursor: nil))
    }

    @Test("buckets aggregate in SQL: avg, min, max, last, count over 10 s buckets")
    func buckets() async throws {
        let database = try await Self.seriesDatabase(count: 30)
        // t0 = ...723.456 s: 10 s buckets start at ...720.000, so the first bucket holds t0+0...t0+6.
        let query = TelemetryQuery(endpoint: "dev-1", path: Self.temperature, limit: 100, order: .ascending)
        func page(_ aggregation: TelemetryAggregation) async throws -> TelemetryBucketPage {
            try #require(try await database.telemetryBuckets(query, width: 10_000, aggregation: aggregation))
        }
        let start = Date(timeIntervalSince1970: 1_795_395_720)
        let avg = try await page(.avg)
        #expect(avg.buckets.map(\.start) == [0, 10, 20, 30].map { start.addingTimeInterval($0) })
        #expect(avg.buckets.map(\.count) == [7, 10, 10, 3])
        #expect(avg.buckets.map(\.value) == [3, 11.5, 21.5, 28].map { LwM2MValue.float($0) })
        #expect(try await page(.min).buckets.map(\.value) == [0, 7, 17, 27].map { LwM2MValue.float($0) })
        #expect(try await page(.max).buckets.map(\.value) == [6, 16, 26, 29].map { LwM2MValue.float($0) })
        #expect(try await page(.last).buckets.map(\.value) == [6, 16, 26, 29].map { LwM2MValue.float($0) })
        #expect(try await page(.count).buckets.map(\.value) == [7, 10, 10, 3].map { LwM2MValue.integer($0) })
    }

    @Test("bucket pages follow the cursor without repeating a bucket")
    func bucketPaging() async throws {
        let database = try await Self.seriesDatabase(count: 30)
        var query = TelemetryQuery(endpoint: "dev-1", path: Self.temperature, limit: 3, order: .descending)
        let first = try #require(try await database.telemetryBuckets(query, width: 10_000, aggregation: .count))
        #expect(first.buckets.map(\.count) == [3, 10, 10])
        query.cursor = first.nextCursor
        let second = try #require(try await database.telemetryBuckets(query, width: 10_000, aggregation: .count))
        #expect(second.buckets.map(\.count) == [7])
        #expect(second.nextCursor == nil)
        query.order = .ascending
        query.cursor = nil
        query.limit = 2
        let ascending = try #require(try await database.telemetryBuckets(query, width: 10_000, aggregation: .count))
        query.cursor = ascending.nextCursor
        let rest = try #require(try await database.telemetryBuckets(query, width: 10_000, aggregation: .count))
        #expect((ascending.buckets + rest.buckets).map(\.count) == [7, 10, 10, 3])
    }

    @Test("avg over strings is refused; integers keep their type for min/max")
    func aggregationTypes() async throws {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(store: database, logger: quietLogger)
        _ = ingest.submit(report([value("/3/0/0", .string("a")), value("/3/0/9", .integer(40))]))
        _ = ingest.submit(report(at: t0.addingTimeInterval(1), [value("/3/0/9", .integer(60))]))
        try await withRunning(ingest) { await ingest.waitUntilProcessed(2) }
        let strings = TelemetryQuery(endpoint: "dev-1", path: try LwM2MPath("/3/0/0"))
        await #expect(throws: TelemetryQueryError.self) {
            try await database.telemetryBuckets(strings, width: 60_000, aggregation: .avg)
        }
        let last = try await database.telemetryBuckets(strings, width: 60_000, aggregation: .last)
        #expect(last?.buckets.map(\.value) == [.string("a")])
        let battery = TelemetryQuery(endpoint: "dev-1", path: try LwM2MPath("/3/0/9"))
        #expect(try await database.telemetryBuckets(battery, width: 3_600_000, aggregation: .max)?.buckets.map(\.value) == [.integer(60)])
        #expect(try await database.telemetryBuckets(battery, width: 3_600_000, aggregation: .avg)?.buckets.map(\.value) == [.float(50)])
    }

    @Test("latest: the newest value of every series, also when an older value arrives later")
    func latest() async throws {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(store: database, logger: quietLogger)
        _ = ingest.submit(report(at: t0, [value("/3303/0/5700", .float(20)), value("/3/0/7/0", .integer(5000)), value("/3/0/7/1", .integer(3300))]))
        _ = ingest.submit(report(at: t0.addingTimeInterval(10), [value("/3303/0/5700", .float(22))]))
        // A Send with an older client timestamp must not replace the newest value.
        _ = ingest.submit(report(at: t0.addingTimeInterval(20), kind: .send, [value("/3303/0/5700", .float(19), at: t0.addingTimeInterval(5))]))
        try await withRunning(ingest) { await ingest.waitUntilProcessed(3) }
        let latest = try #require(try await database.latestValues(endpoint: "dev-1"))
        #expect(latest == [
            LatestValue(path: try LwM2MPath("/3/0/7/0"), timestamp: t0, dataType: .integer, value: .integer(5000)),
            LatestValue(path: try LwM2MPath("/3/0/7/1"), timestamp: t0, dataType: .integer, value: .integer(3300)),
            LatestValue(path: Self.temperature, timestamp: t0.addingTimeInterval(10), dataType: .float, value: .float(22)),
        ])
        #expect(try await database.latestValues(endpoint: "dev-2") == [])
        #expect(try await database.latestValues(endpoint: "nobody") == nil)
    }
}
