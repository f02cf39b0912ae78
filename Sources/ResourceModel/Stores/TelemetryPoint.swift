import Foundation
import LwM2M

/// One stored value of a series.
public struct TelemetryPoint: Sendable, Equatable {
    /// The `resource` row id.
    public var id: Int64
    /// The value's instant.
    public var timestamp: Date
    /// The value (`nil` for a stored "no value").
    public var value: LwM2MValue?

    /// Creates a point.
    public init(id: Int64, timestamp: Date, value: LwM2MValue?) {
        self.id = id
        self.timestamp = timestamp
        self.value = value
    }
}
