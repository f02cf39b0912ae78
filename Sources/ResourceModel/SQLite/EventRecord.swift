import GRDB

/// One row of the `event` table: something one report of an endpoint carried, typed by an event rule's name.
public struct EventRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "event"

    /// The row id (`nil` before insertion).
    public var id: Int64?
    /// The endpoint row.
    public var endpointId: Int64
    /// The event type (the rule's name).
    public var type: String
    /// The event's instant, epoch milliseconds.
    public var timestamp: Int64

    /// The table's columns, for queries.
    public enum Columns {
        /// `id`.
        public static let id = Column(CodingKeys.id)
        /// `endpointId`.
        public static let endpointId = Column(CodingKeys.endpointId)
        /// `type`.
        public static let type = Column(CodingKeys.type)
        /// `timestamp`.
        public static let timestamp = Column(CodingKeys.timestamp)
    }

    /// Creates a row (no id yet).
    public init(endpointId: Int64, type: String, timestamp: Int64) {
        self.endpointId = endpointId
        self.type = type
        self.timestamp = timestamp
    }

    /// Records the id SQLite assigned on insert.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
