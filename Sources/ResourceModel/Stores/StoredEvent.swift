import Foundation
import LwM2M

/// One stored event with the values it carried.
public struct StoredEvent: Sendable, Equatable {
    /// The `event` row id.
    public var id: Int64
    /// The event type (the rule name).
    public var type: String
    /// The endpoint client name.
    public var endpoint: String
    /// The event's instant.
    public var timestamp: Date
    /// The values, sorted by path.
    public var values: [LatestValue]

    /// Creates an event.
    public init(id: Int64, type: String, endpoint: String, timestamp: Date, values: [LatestValue]) {
        self.id = id
        self.type = type
        self.endpoint = endpoint
        self.timestamp = timestamp
        self.values = values
    }
}
