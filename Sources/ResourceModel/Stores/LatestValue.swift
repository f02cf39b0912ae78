import Foundation
import LwM2M

/// The newest stored value of one series.
public struct LatestValue: Sendable, Equatable {
    /// `/o/i/r` or `/o/i/r/ri`.
    public var path: LwM2MPath
    /// The value's instant.
    public var timestamp: Date
    /// The resource's data type.
    public var dataType: ResourceDataType
    /// The value (`nil` for a stored "no value").
    public var value: LwM2MValue?

    /// Creates a latest value.
    public init(path: LwM2MPath, timestamp: Date, dataType: ResourceDataType, value: LwM2MValue?) {
        self.path = path
        self.timestamp = timestamp
        self.dataType = dataType
        self.value = value
    }
}
