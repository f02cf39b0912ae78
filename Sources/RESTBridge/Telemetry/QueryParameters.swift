import Foundation
import Hummingbird
import HummingbirdCore
import LwM2M
import ResourceModel

/// Parsers of the query parameters the telemetry and event routes share; each throws a 400 problem naming
/// the parameter.
enum QueryParameters {
    /// An instant: ISO 8601 (`2026-11-23T01:02:03Z`, fractional seconds optional) or epoch milliseconds.
    static func instant(_ name: String, _ value: String?) throws(Problem) -> Date? {
        guard let value else { return nil }
        let digits = value.hasPrefix("-") ? value.dropFirst() : Substring(value)
        if !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let milliseconds = Int64(value) {
            return EpochMilliseconds.date(milliseconds)
        }
        if let date = try? Date(value, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return date
        }
        if let date = try? Date(value, strategy: Date.ISO8601FormatStyle()) {
            return date
        }
        throw Problem.invalidQueryParameter(
            name, value: value, expected: "an ISO 8601 instant (2026-11-23T01:02:03Z) or epoch milliseconds")
    }

    /// `from` and `to`, with `from` before `to` when both are given.
    static func range(_ query: FlatDictionary<Substring, Substring>) throws(Problem) -> (from: Date?, to: Date?) {
        let from = try instant("from", query["from"].map(String.init))
        let to = try instant("to", query["to"].map(String.init))
        if let from, let to, from >= to {
            throw Problem.invalidQueryParameter(
                "to", value: query["to"].map(String.init) ?? "", expected: "an instant after 'from'")
        }
        return (from, to)
    }

    /// `limit` in 1...10000, `defaultValue` when absent.
    static func limit(_ value: String?, defaultValue: Int = 100) throws(Problem) -> Int {
        guard let value else { return defaultValue }
        guard value.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let limit = Int(value),
            (1...TelemetryQuery.maxLimit).contains(limit)
        else {
            throw Problem.invalidQueryParameter(
                "limit", value: value, expected: "a whole number in 1...\(TelemetryQuery.maxLimit)")
        }
        return limit
    }

    /// The `path` of a series: `/o/i/r` or `/o/i/r/ri`.
    static func seriesPath(_ value: String?) throws(Problem) -> LwM2MPath {
        guard let value, !value.isEmpty else {
            throw Problem.invalidQueryParameter(
                "path", value: value ?? "", expected: "a resource path like /3303/0/5700 or /3/0/7/1")
        }
        let path: LwM2MPath
        do {
            path = try LwM2MPath(value.hasPrefix("/") ? value : "/" + value)
        } catch {
            throw Problem.invalidPath(value, error.message)
        }
        guard path.depth >= 3 else {
            throw Problem.invalidPath(value, "telemetry is stored per resource (/o/i/r) or resource instance (/o/i/r/ri)")
        }
        return path
    }

    /// `order`: `asc` or `desc` (the default).
    static func order(_ value: String?) throws(Problem) -> TelemetryQuery.Order {
        guard let value else { return .descending }
        guard let order = TelemetryQuery.Order(rawValue: value) else {
            throw Problem.invalidQueryParameter("order", value: value, expected: "'asc' or 'desc'")
        }
        return order
    }

    /// `bucket`: a positive width with unit `s`, `m` or `h` (`60s`, `5m`, `1h`), in milliseconds.
    static func bucketWidth(_ value: String) throws(Problem) -> Int64 {
        let expected = "a positive width with unit s, m or h (60s, 5m, 1h)"
        guard let unit = value.last, let factor: Int64 = ["s": 1_000, "m": 60_000, "h": 3_600_000][unit] else {
            throw Problem.invalidQueryParameter("bucket", value: value, expected: expected)
        }
        let number = value.dropLast()
        guard !number.isEmpty, number.count <= 9, number.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let count = Int64(number), count > 0
        else {
            throw Problem.invalidQueryParameter("bucket", value: value, expected: expected)
        }
        return count * factor
    }

    /// `agg`: avg, min, max, last or count (`avg` by default).
    static func aggregation(_ value: String?) throws(Problem) -> TelemetryAggregation {
        guard let value else { return .avg }
        guard let aggregation = TelemetryAggregation(rawValue: value) else {
            let names = TelemetryAggregation.allCases.map(\.rawValue).joined(separator: ", ")
            throw Problem.invalidQueryParameter("agg", value: value, expected: "one of \(names)")
        }
        return aggregation
    }

    /// An opaque cursor (`nextCursor` of a previous page): base64url of `<timestamp>.<id>`.
    static func cursor(_ value: String?) throws(Problem) -> TelemetryCursor? {
        guard let value else { return nil }
        var base64 = value.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else {
            throw Problem.invalidQueryParameter("cursor", value: value, expected: "a 'nextCursor' of a previous page")
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let timestamp = Int64(parts[0]), let id = Int64(parts[1]) else {
            throw Problem.invalidQueryParameter("cursor", value: value, expected: "a 'nextCursor' of a previous page")
        }
        return TelemetryCursor(timestamp: timestamp, id: id)
    }

    /// The opaque form of `cursor`.
    static func token(_ cursor: TelemetryCursor) -> String {
        Data("\(cursor.timestamp).\(cursor.id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
