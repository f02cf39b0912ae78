import GRDB

/// One row of the `event_resource` table: a stored value an event carried.
struct EventResourceRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    /// The table name.
    static let databaseTableName = "event_resource"

    /// The event row.
    var eventId: Int64
    /// The resource row.
    var resourceId: Int64

    /// The table's columns, for queries.
    enum Columns {
        /// `eventId`.
        static let eventId = Column(CodingKeys.eventId)
        /// `resourceId`.
        static let resourceId = Column(CodingKeys.resourceId)
    }

    /// Creates a link.
    init(eventId: Int64, resourceId: Int64) {
        self.eventId = eventId
        self.resourceId = resourceId
    }
}
