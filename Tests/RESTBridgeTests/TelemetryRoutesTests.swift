import Foundation
import Hummingbird
import HummingbirdTesting
import LwM2M
import ResourceModel
import Testing

@testable import RESTBridge

@Suite("Telemetry routes")
struct TelemetryRoutesTests {
    static let base = "/api/v1/endpoints/alpha/telemetry"

    @Test("values newest first, typed like the node JSON, with a nextCursor that pages without gaps")
    func valuesAndPaging() async throws {
        let database = try await makeTelemetryDatabase()
        let first = try await send(.get, "\(Self.base)?path=/3303/0/5700&limit=10", database: database)
        #expect(first.status == .ok)
        let body = try jsonObject(first)
        #expect(body["endpoint"] as? String == "alpha")
        #expect(body["path"] as? String == "/3303/0/5700")
        #expect(body["type"] as? String == "float")
        let values = try #require(body["values"] as? [[String: Any]])
        #expect(values.map { $0["value"] as? Double } == [30, 24, 23, 22, 21, 20, 19, 18, 17, 16])
        #expect(values.first?["timestamp"] as? String == "2026-11-23T01:02:33.456Z")
        var cursor = try #require(body["nextCursor"] as? String)
        var all = values.compactMap { $0["value"] as? Double }
        while true {
            let page = try jsonObject(try await send(.get, "\(Self.base)?path=/3303/0/5700&limit=10&cursor=\(cursor)", database: database))
            all += (page["values"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? Double }
            guard let next = page["nextCursor"] as? String else {
                #expect(page["nextCursor"] is NSNull)
                break
            }
            cursor = next
        }
        #expect(all == [30] + (0..<25).reversed().map(Double.init))
    }

    @Test("from/to as ISO 8601 or epoch ms, ascending order, strings and integers typed")
    func rangeAndTypes() async throws {
        let database = try await makeTelemetryDatabase()
        let fromMs = Int64((t0.timeIntervalSince1970 + 3) * 1000)
        let range = try jsonObject(try await send(
            .get, "\(Self.base)?path=/3303/0/5700&from=\(fromMs)&to=2026-11-23T01:02:11.456Z&order=asc", database: database))
        #expect((range["values"] as? [[String: Any]])?.map { $0["value"] as? Double } == [3, 4, 5, 6, 7])
        let text = try await send(.get, "\(Self.base)?path=/3/0/0", database: database)
        #expect(String(buffer: text.body).contains(#""value":"ACME, \"Inc\"""#))
        let integer = try jsonObject(try await send(.get, "\(Self.base)?path=/3/0/6/1", database: database))
        #expect(integer["type"] as? String == "integer")
        #expect((integer["values"] as? [[String: Any]])?.first?["value"] as? Int == 5)
    }

    @Test("buckets: avg/min/max/last/count computed per bucket")
    func buckets() async throws {
        let database = try await makeTelemetryDatabase()
        let response = try await send(.get, "\(Self.base)?path=/3303/0/5700&bucket=10s&agg=avg&order=asc", database: database)
        #expect(response.status == .ok)
        let body = try jsonObject(response)
        #expect(body["agg"] as? String == "avg")
        #expect(body["bucket"] as? String == "10s")
        let buckets = try #require(body["buckets"] as? [[String: Any]])
        // t0 is at second 3.456 of its 10 s bucket: 0...6 | 7...16 | 17...24 | 30.
        #expect(buckets.map { $0["start"] as? String } == [
            "2026-11-23T01:02:00.000Z", "2026-11-23T01:02:10.000Z", "2026-11-23T01:02:20.000Z", "2026-11-23T01:02:30.000Z",
        ])
        #expect(buckets.map { $0["count"] as? Int } == [7, 10, 8, 1])
        #expect(buckets.map { $0["value"] as? Double } == [3, 11.5, 20.5, 30])
        let counts = try jsonObject(try await send(.get, "\(Self.base)?path=/3303/0/5700&bucket=1m&agg=count", database: database))
        #expect((counts["buckets"] as? [[String: Any]])?.map { $0["value"] as? Int } == [26])
    }

    @Test("CSV with a header row, raw and bucketed")
    func csv() async throws {
        let database = try await makeTelemetryDatabase()
        let raw = try await send(.get, "\(Self.base)?path=/3303/0/5700&format=csv&limit=2", database: database)
        #expect(raw.status == .ok)
        #expect(raw.headers[.contentType] == "text/csv; charset=utf-8")
        #expect(String(buffer: raw.body) == "timestamp,value\r\n2026-11-23T01:02:33.456Z,30.0\r\n2026-11-23T01:02:27.456Z,24.0\r\n")
        let quoted = try await send(.get, "\(Self.base)?path=/3/0/0&format=csv", database: database)
        #expect(String(buffer: quoted.body) == "timestamp,value\r\n2026-11-23T01:02:03.456Z,\"ACME, \"\"Inc\"\"\"\r\n")
        let buckets = try await send(.get, "\(Self.base)?path=/3303/0/5700&format=csv&bucket=1h&agg=max", database: database)
        #expect(String(buffer: buckets.body) == "start,value,count\r\n2026-11-23T01:00:00.000Z,30.0,26\r\n")
    }

    @Test("latest: the newest value of every resource, sorted by path")
    func latest() async throws {
        let database = try await makeTelemetryDatabase()
        let response = try await send(.get, "/api/v1/endpoints/alpha/latest", database: database)
        #expect(response.status == .ok)
        let values = try jsonArray(response)
        #expect(values.map { $0["path"] as? String } == ["/3/0/0", "/3/0/6/1", "/3/0/9", "/3303/0/5700", "/3304/0/5700"])
        #expect(values.map { $0["type"] as? String } == ["string", "integer", "integer", "float", "float"])
        #expect(values[3]["value"] as? Double == 30)
        #expect(values[3]["timestamp"] as? String == "2026-11-23T01:02:33.456Z")
        let empty = try await send(.get, "/api/v1/endpoints/beta/latest", database: database)
        #expect(String(buffer: empty.body) == "[]")
    }

    @Test("bad parameters are 400 problems, unknown endpoints 404", arguments: [
        ("?path=/3303/0", 400, "invalid-path"), ("?path=/3303/x/5700", 400, "invalid-path"),
        ("", 400, "invalid-query-parameter"), ("?path=/3303/0/5700&from=yesterday", 400, "invalid-query-parameter"),
        ("?path=/3303/0/5700&from=2000&to=1000", 400, "invalid-query-parameter"),
        ("?path=/3303/0/5700&limit=0", 400, "invalid-query-parameter"),
        ("?path=/3303/0/5700&limit=10001", 400, "invalid-query-parameter"),
        ("?path=/3303/0/5700&order=up", 400, "invalid-query-parameter"),
        ("?path=/3303/0/5700&bucket=10d", 400, "invalid-query-parameter"),
        ("?path=/3303/0/5700&bucket=0s", 400, "invalid-query-parameter"),
        ("?path=/3303/0/5700&bucket=1m&agg=median", 400, "invalid-query-parameter"),
        ("?path=/3303/0/5700&agg=avg", 400, "invalid-query-parameter"),
        ("?path=/3/0/0&bucket=1m&agg=avg", 400, "invalid-telemetry-query"),
        ("?path=/3303/0/5700&cursor=!!", 400, "invalid-query-parameter"),
        ("?path=/3303/0/5700&format=xml", 400, "invalid-query-parameter"),
        ("?path=/3303/0/5700&color=red", 400, "invalid-query-parameter"),
    ])
    func badParameters(query: String, status: Int, type: String) async throws {
        let database = try await makeTelemetryDatabase()
        let response = try await send(.get, Self.base + query, database: database)
        #expect(response.status.code == status)
        #expect(response.headers[.contentType] == "application/problem+json")
        #expect(try problem(response).type == "https://lwm2m.dev/problems/" + type)
    }

    @Test("unknown endpoint → 404 endpoint-not-found for telemetry and latest; no token → 401")
    func notFoundAndAuth() async throws {
        let database = try await makeTelemetryDatabase()
        for uri in ["/api/v1/endpoints/nobody/telemetry?path=/3303/0/5700", "/api/v1/endpoints/nobody/latest"] {
            let response = try await send(.get, uri, database: database)
            #expect(response.status == .notFound)
            #expect(try problem(response).type == "https://lwm2m.dev/problems/endpoint-not-found")
        }
        let unauthorized = try await send(.get, "/api/v1/endpoints/alpha/latest", headers: [:], database: database)
        #expect(unauthorized.status == .unauthorized)
    }
}
