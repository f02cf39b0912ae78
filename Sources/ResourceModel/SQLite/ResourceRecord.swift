import Foundation
import GRDB

/// One row of the `resource` table: one value of one series (endpoint, resource type, object instance,
/// resource instance) at one instant; the value columns follow `ResourceValueColumns`.
public struct ResourceRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "resource"

    /// The row id (`nil` before insertion).
    public var id: Int64?
    /// The endpoint row.
    public var endpointId: Int64
    /// The `resource_type` row.
    public var resourceTypeId: Int64
    /// The object instance id.
    public var objectInstanceId: Int
    /// The resource instance id of a multiple resource, `nil` for a single resource.
    public var resourceInstanceId: Int?
    /// Integer, Unsigned Integer (bit pattern), Time.
    public var valueInteger: Int64?
    /// Float.
    public var valueReal: Double?
    /// String, Corelnk, Objlnk.
    public var valueText: String?
    /// Opaque.
    public var valueBlob: Data?
    /// Boolean.
    public var valueBool: Bool?
    /// The value's instant, epoch milliseconds: the client's time when it gave one, else the arrival.
    public var timestamp: Int64
    /// When the server received it, epoch milliseconds.
    public var receivedAt: Int64

    /// The table's columns, for queries.
    public enum Columns {
        /// `id`.
        public static let id = Column(CodingKeys.id)
        /// `endpointId`.
        public static let endpointId = Column(CodingKeys.endpointId)
        /// `resourceTypeId`.
        public static let resourceTypeId = Column(CodingKeys.resourceTypeId)
        /// `objectInstanceId`.
        public static let objectInstanceId = Column(CodingKeys.objectInstanceId)
        /// `resourceInstanceId`.
        public static let resourceInstanceId = Column(CodingKeys.resourceInstanceId)
        /// `timestamp`.
        public static let timestamp = Column(CodingKeys.timestamp)
        /// `receivedAt`.
        public static let receivedAt = Column(CodingKeys.receivedAt)
    }

    /// Creates a row for `columns` (no id yet).
    public init(
        endpointId: Int64, resourceTypeId: Int64, objectInstanceId: Int, resourceInstanceId: Int?,
        columns: ResourceValueColumns, timestamp: Int64, receivedAt: Int64
    ) {
        self.endpointId = endpointId
        self.resourceTypeId = resourceTypeId
        self.objectInstanceId = objectInstanceId
        self.resourceInstanceId = resourceInstanceId
        valueInteger = columns.integer
        valueReal = columns.real
        valueText = columns.text
        valueBlob = columns.blob
        valueBool = columns.bool
        self.timestamp = timestamp
        self.receivedAt = receivedAt
    }

    /// The value columns.
    public var columns: ResourceValueColumns {
        ResourceValueColumns(integer: valueInteger, real: valueReal, text: valueText, blob: valueBlob, bool: valueBool)
    }

    /// Records the id SQLite assigned on insert.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
