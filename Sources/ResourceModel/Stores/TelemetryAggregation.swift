import Foundation
import LwM2M

/// How the values of one time bucket are combined (computed in SQL).
public enum TelemetryAggregation: String, Sendable, Equatable, CaseIterable {
    /// The mean (numeric series only).
    case avg
    /// The smallest value (numeric series only).
    case min
    /// The largest value (numeric series only).
    case max
    /// The value with the latest timestamp.
    case last
    /// The number of values.
    case count

    /// Whether it needs a numeric series (Integer, Unsigned Integer, Float).
    public var needsNumbers: Bool {
        switch self {
        case .avg, .min, .max: true
        case .last, .count: false
        }
    }

    /// Whether `type` can be aggregated this way.
    public func supports(_ type: ResourceDataType) -> Bool {
        guard needsNumbers else { return true }
        switch type {
        case .integer, .unsignedInteger, .float: return true
        case .string, .boolean, .opaque, .time, .objlnk, .corelnk, .none: return false
        }
    }
}
