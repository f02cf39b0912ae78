import Foundation
import Hummingbird
import LwM2M
import ResourceModel

/// One stored value with its path, instant and type: `{"path":"/3303/0/5700","timestamp":"..","type":"float","value":21.5}`
/// (`value` is `null` for a stored "no value"; values are typed like the node JSON, see `ValueDTO`).
public struct TimedValueDTO: Sendable, Equatable, ResponseEncodable {
    /// `/o/i/r` or `/o/i/r/ri`.
    public var path: String
    /// The value's instant.
    public var timestamp: Date
    /// The data type (`float`, `integer`, `string`, ...).
    public var type: String
    /// The value.
    public var value: ValueDTO?

    /// Creates a value.
    public init(path: String, timestamp: Date, type: String, value: ValueDTO?) {
        self.path = path
        self.timestamp = timestamp
        self.type = type
        self.value = value
    }

    /// The JSON form of a stored latest or event value.
    public init(_ value: LatestValue) {
        self.init(
            path: value.path.description, timestamp: value.timestamp, type: value.dataType.rawValue,
            value: value.value.map(ValueDTO.init))
    }

    /// The JSON form of a reported value (its own time, else `receivedAt`).
    public init(_ value: ReportedValue, receivedAt: Date) {
        self.init(
            path: value.path.description, timestamp: value.effectiveTime(receivedAt: receivedAt),
            type: value.value.dataType.rawValue, value: ValueDTO(value.value))
    }

    private enum CodingKeys: String, CodingKey {
        case path, timestamp, type, value
    }

    /// Encodes every member, `value` as `null` when absent.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(timestamp, forKey: .timestamp)
        try container.encode(type, forKey: .type)
        try container.encode(value, forKey: .value)
    }
}
