import Foundation

/// The JSON conventions of the REST API: instants as ISO 8601 UTC with milliseconds (`2026-11-23T01:02:03.456Z`).
public enum APIJSON {
    /// 9999-12-31T23:59:59.999Z in epoch milliseconds, the latest instant `timestamp(_:)` prints.
    public static let latestMilliseconds: Int64 = 253_402_300_799_999

    /// 1582-10-15T00:00:00.000Z in epoch milliseconds, the earliest instant `timestamp(_:)` prints: the first day of
    /// the Gregorian calendar (before it Foundation's Gregorian calendar counts Julian days, and ISO 8601 years
    /// below 1 would need a sign).
    public static let earliestMilliseconds: Int64 = -12_219_292_800_000

    /// An encoder writing instants as `timestamp(_:)` and keys sorted (stable output).
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        return encoder
    }

    /// A decoder reading instants written by `encoder()` (for clients and tests).
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let string = try container.decode(String.self)
            guard let date = try? Date(string, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected an ISO 8601 instant with milliseconds, got \(string)")
            }
            return date
        }
        return decoder
    }

    /// Formats `date` as `yyyy-MM-ddTHH:mm:ss.SSSZ` in UTC, rounded to the millisecond.
    ///
    /// Works from integer milliseconds so values stored as epoch milliseconds print back exactly
    /// (formatting the `Double` directly can turn `.456` into `.455`).
    ///
    /// Instants outside 1582-10-15T00:00:00.000Z...9999-12-31T23:59:59.999Z (rows stored before devices' times
    /// were range-checked, `Int64.min`/`Int64.max` milliseconds, NaN) are clamped to that range, never trapping.
    public static func timestamp(_ date: Date) -> String {
        let scaled = (date.timeIntervalSince1970 * 1000).rounded()
        let milliseconds: Int64
        if scaled.isNaN {
            milliseconds = earliestMilliseconds
        } else {
            milliseconds = min(max(Int64(exactly: max(min(scaled, 1e18), -1e18)) ?? 0, earliestMilliseconds), latestMilliseconds)
        }
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let wholeSeconds = fraction < 0 ? seconds - 1 : seconds
        let millis = fraction < 0 ? fraction + 1000 : fraction
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second],
            from: Date(timeIntervalSince1970: TimeInterval(wholeSeconds)))
        func pad(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T"
            + "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2)).\(pad(Int(millis), 3))Z"
    }
}
