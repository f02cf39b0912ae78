import Foundation

/// The storage form of instants: integer milliseconds since 1970-01-01 UTC.
public enum EpochMilliseconds {
    /// `date` in whole milliseconds (rounded to the nearest); beyond `Int64`, the nearest end, and NaN the earliest
    /// (as `APIJSON.timestamp` prints it), so a stored instant and a rendered one agree.
    public static func from(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded()
        guard !value.isNaN else { return .min }
        guard value.isFinite else { return value < 0 ? .min : .max }
        return Int64(exactly: value) ?? (value < 0 ? .min : .max)
    }

    /// The instant `milliseconds` after the epoch.
    public static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
    }
}
