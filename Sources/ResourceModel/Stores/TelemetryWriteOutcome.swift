import LwM2M

/// What became of one device report handed to `TelemetryStore.write(_:)`.
public enum TelemetryWriteOutcome: Sendable, Equatable {
    /// Stored: `stored` values written (`skipped` did not fit their type or had no resource path), and the events
    /// the rules made from it.
    case stored(stored: Int, skipped: Int, events: [CreatedEvent])
    /// Its endpoint is not stored; nothing was written.
    case unknownEndpoint

    /// One event an event rule made from a report.
    public struct CreatedEvent: Sendable, Equatable {
        /// The rule name (the event type).
        public var type: String
        /// The stored event's id.
        public var id: Int64
        /// The values of the report the rule matched.
        public var values: [ReportedValue]

        /// Creates a created-event description.
        public init(type: String, id: Int64, values: [ReportedValue]) {
            self.type = type
            self.id = id
            self.values = values
        }
    }
}
