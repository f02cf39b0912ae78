import Foundation

/// Values a client reported on its own: a notification of an observation (LwM2M 1.1 Core §6.4.2) or a Send
/// (LwM2M 1.1 Core §6.4.6), flattened into leaves for storage and streaming.
public struct DeviceReport: Sendable, Equatable {
    /// Where the values came from.
    public enum Kind: Sendable, Equatable {
        /// A notification of the observation with this id.
        case notification(observationID: String)
        /// A Send operation (`POST /dp`).
        case send
    }

    /// The endpoint client name.
    public var endpoint: String
    /// Notification or Send.
    public var kind: Kind
    /// When the server received it.
    public var receivedAt: Date
    /// The values, one per resource or resource instance.
    public var values: [ReportedValue]

    /// Creates a report.
    public init(endpoint: String, kind: Kind, receivedAt: Date, values: [ReportedValue]) {
        self.endpoint = endpoint
        self.kind = kind
        self.receivedAt = receivedAt
        self.values = values
    }
}

/// One reported leaf value: a single resource or a resource instance.
public struct ReportedValue: Sendable, Equatable {
    /// `/o/i/r` or `/o/i/r/ri`.
    public var path: LwM2MPath
    /// The typed value.
    public var value: LwM2MValue
    /// The time the client gave (SenML `t`, resolved), or `nil` when it gave none (then the arrival time applies).
    public var timestamp: Date?

    /// Creates a value.
    public init(path: LwM2MPath, value: LwM2MValue, timestamp: Date? = nil) {
        self.path = path
        self.value = value
        self.timestamp = timestamp
    }

    /// The time to store: the client's time when given, else `receivedAt`.
    public func effectiveTime(receivedAt: Date) -> Date { timestamp ?? receivedAt }
}
