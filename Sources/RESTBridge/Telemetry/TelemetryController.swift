import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LwM2M
import ResourceModel

/// `GET /api/v1/endpoints/{endpoint}/telemetry` (a series' values, raw or in buckets, JSON or CSV) and
/// `GET /api/v1/endpoints/{endpoint}/latest` (the newest value of every series).
struct TelemetryController {
    /// One value of a series: `{"timestamp":"..","value":21.5}`.
    struct Point: Encodable, Equatable {
        /// The value's instant.
        var timestamp: Date
        /// The value (`null` for a stored "no value").
        var value: ValueDTO?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(timestamp, forKey: .timestamp)
            try container.encode(value, forKey: .value)
        }

        private enum CodingKeys: String, CodingKey { case timestamp, value }
    }

    /// The raw answer: `{"endpoint","path","type","values":[...],"nextCursor":..}`.
    struct ValuesResponse: ResponseEncodable, Equatable {
        /// The endpoint name.
        var endpoint: String
        /// The series path.
        var path: String
        /// The series' data type, `null` when nothing was ever stored for it.
        var type: String?
        /// The values.
        var values: [Point]
        /// The cursor of the next page, `null` on the last page.
        var nextCursor: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(endpoint, forKey: .endpoint)
            try container.encode(path, forKey: .path)
            try container.encode(type, forKey: .type)
            try container.encode(values, forKey: .values)
            try container.encode(nextCursor, forKey: .nextCursor)
        }

        private enum CodingKeys: String, CodingKey { case endpoint, path, type, values, nextCursor }
    }

    /// One bucket: `{"start":"..","value":21.5,"count":12}`.
    struct Bucket: Encodable, Equatable {
        /// The bucket's first instant.
        var start: Date
        /// The aggregate.
        var value: ValueDTO?
        /// The number of values in it.
        var count: Int

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(start, forKey: .start)
            try container.encode(value, forKey: .value)
            try container.encode(count, forKey: .count)
        }

        private enum CodingKeys: String, CodingKey { case start, value, count }
    }

    /// The aggregated answer: `{"endpoint","path","type","bucket","agg","buckets":[...],"nextCursor":..}`.
    struct BucketsResponse: ResponseEncodable, Equatable {
        /// The endpoint name.
        var endpoint: String
        /// The series path.
        var path: String
        /// The series' data type, `null` when nothing was ever stored for it.
        var type: String?
        /// The bucket width as asked (`60s`).
        var bucket: String
        /// The aggregation.
        var agg: String
        /// The buckets.
        var buckets: [Bucket]
        /// The cursor of the next page, `null` on the last page.
        var nextCursor: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(endpoint, forKey: .endpoint)
            try container.encode(path, forKey: .path)
            try container.encode(type, forKey: .type)
            try container.encode(bucket, forKey: .bucket)
            try container.encode(agg, forKey: .agg)
            try container.encode(buckets, forKey: .buckets)
            try container.encode(nextCursor, forKey: .nextCursor)
        }

        private enum CodingKeys: String, CodingKey { case endpoint, path, type, bucket, agg, buckets, nextCursor }
    }

    /// Where the values are read.
    let store: any TelemetryStore

    /// Registers the routes (and 405 answers for the other methods) on `router`.
    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        router.get("/api/v1/endpoints/{endpoint}/telemetry", use: telemetry)
        router.get("/api/v1/endpoints/{endpoint}/latest", use: latest)
        router.rejectOtherMethods("/api/v1/endpoints/{endpoint}/telemetry", allowed: [.get, .head])
        router.rejectOtherMethods("/api/v1/endpoints/{endpoint}/latest", allowed: [.get, .head])
    }

    /// `GET .../telemetry?path=..[&from&to&limit&cursor&order][&bucket&agg][&format=csv]`.
    @Sendable func telemetry(_ request: Request, context: APIRequestContext) async throws -> Response {
        let endpoint = try context.endpointName()
        let parameters = request.uri.queryParameters
        let path = try QueryParameters.seriesPath(parameters["path"].map(String.init))
        let (from, to) = try QueryParameters.range(parameters)
        let query = TelemetryQuery(
            endpoint: endpoint, path: path, from: from, to: to,
            limit: try QueryParameters.limit(parameters["limit"].map(String.init)),
            order: try QueryParameters.order(parameters["order"].map(String.init)),
            cursor: try QueryParameters.cursor(parameters["cursor"].map(String.init)))
        let csv: Bool
        switch parameters["format"].map(String.init) {
        case nil, "json": csv = false
        case "csv": csv = true
        case let other?: throw Problem.invalidQueryParameter("format", value: other, expected: "'json' or 'csv'")
        }
        if let bucket = parameters["bucket"].map(String.init) {
            let width = try QueryParameters.bucketWidth(bucket)
            let aggregation = try QueryParameters.aggregation(parameters["agg"].map(String.init))
            let page: TelemetryBucketPage?
            do {
                page = try await store.telemetryBuckets(query, width: width, aggregation: aggregation)
            } catch let error as TelemetryQueryError {
                throw Problem.invalidTelemetryQuery(error.message)
            }
            guard let page else { throw Problem.endpointNotFound(endpoint) }
            let buckets = page.buckets.map { Bucket(start: $0.start, value: $0.value.map(ValueDTO.init), count: $0.count) }
            if csv {
                return Self.csv(
                    header: "start,value,count",
                    rows: buckets.map { "\(APIJSON.timestamp($0.start)),\(Self.csvField($0.value)),\($0.count)" },
                    nextCursor: page.nextCursor)
            }
            let response = BucketsResponse(
                endpoint: endpoint, path: path.description, type: page.dataType?.rawValue, bucket: bucket,
                agg: aggregation.rawValue, buckets: buckets, nextCursor: page.nextCursor.map(QueryParameters.token))
            return try response.response(from: request, context: context)
        }
        if let agg = parameters["agg"].map(String.init) {
            throw Problem.invalidQueryParameter("agg", value: agg, expected: "to be used with 'bucket'")
        }
        guard let page = try await store.telemetry(query) else { throw Problem.endpointNotFound(endpoint) }
        let points = page.points.map { Point(timestamp: $0.timestamp, value: $0.value.map(ValueDTO.init)) }
        if csv {
            return Self.csv(
                header: "timestamp,value", rows: points.map { "\(APIJSON.timestamp($0.timestamp)),\(Self.csvField($0.value))" },
                nextCursor: page.nextCursor)
        }
        let response = ValuesResponse(
            endpoint: endpoint, path: path.description, type: page.dataType?.rawValue, values: points,
            nextCursor: page.nextCursor.map(QueryParameters.token))
        return try response.response(from: request, context: context)
    }

    /// `GET .../latest`: `[{"path","timestamp","type","value"}]` sorted by path; 404 for an unknown endpoint.
    @Sendable func latest(_ request: Request, context: APIRequestContext) async throws -> [TimedValueDTO] {
        let endpoint = try context.endpointName()
        guard let values = try await store.latestValues(endpoint: endpoint) else {
            throw Problem.endpointNotFound(endpoint)
        }
        return values.map(TimedValueDTO.init)
    }

    /// A `text/csv` answer (RFC 4180, CRLF line ends); the next page's cursor goes in the `Link`-like header
    /// `X-Next-Cursor`.
    static func csv(header: String, rows: [String], nextCursor: TelemetryCursor?) -> Response {
        let body = ([header] + rows).map { $0 + "\r\n" }.joined()
        var headers: HTTPFields = [.contentType: "text/csv; charset=utf-8"]
        if let nextCursor, let name = HTTPField.Name("X-Next-Cursor") {
            headers[name] = QueryParameters.token(nextCursor)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// A value as one CSV field: numbers and booleans bare, strings quoted when they need it, nothing for none.
    static func csvField(_ value: ValueDTO?) -> String {
        switch value {
        case nil: return ""
        case .integer(let n): return String(n)
        case .unsignedInteger(let n): return String(n)
        case .float(let x): return String(x)
        case .boolean(let flag): return flag ? "true" : "false"
        case .string(let text):
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }
}
