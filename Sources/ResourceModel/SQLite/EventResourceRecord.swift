import GRDB

/// One row of the `event_resource` table: a stored value an event carried.
public struct EventResourceRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    /// The table name.
    public static let databaseTableName = "event_resource"

    /// The event row.
    public var eventId: Int64
    /// The resource row.
    public var resourceId: Int64

    /// The table's columns, for queries.
    public enum Columns {
        /// `eventId`.
        public static let eventId = Column(CodingKeys.eventId)
        /// `resourceId`.
        public static let resourceId = Column(CodingKeys.resourceId)
    }

    /// Creates a link.
    public init(eventId: Int64, resourceId: Int64) {
        self.eventId = eventId
        self.resourceId = resourceId
    }
}
