import GRDB

/// One row of the `event` table: something one report of an endpoint carried, typed by an event rule's name.
struct EventRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    static let databaseTableName = "event"

    /// The row id (`nil` before insertion).
    var id: Int64?
    /// The endpoint row.
    var endpointId: Int64
    /// The event type (the rule's name).
    var type: String
    /// The event's instant, epoch milliseconds.
    var timestamp: Int64

    /// The table's columns, for queries.
    enum Columns {
        /// `id`.
        static let id = Column(CodingKeys.id)
        /// `endpointId`.
        static let endpointId = Column(CodingKeys.endpointId)
        /// `type`.
        static let type = Column(CodingKeys.type)
        /// `timestamp`.
        static let timestamp = Column(CodingKeys.timestamp)
    }

    /// Creates a row (no id yet).
    init(endpointId: Int64, type: String, timestamp: Int64) {
        self.endpointId = endpointId
        self.type = type
        self.timestamp = timestamp
    }

    /// Records the id SQLite assigned on insert.
    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
