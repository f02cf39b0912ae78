import Foundation
import GRDB

/// One row of the `resource` table: one value of one series (endpoint, resource type, object instance,
/// resource instance) at one instant; the value columns follow `ResourceValueColumns`.
struct ResourceRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    static let databaseTableName = "resource"

    /// The row id (`nil` before insertion).
    var id: Int64?
    /// The endpoint row.
    var endpointId: Int64
    /// The `resource_type` row.
    var resourceTypeId: Int64
    /// The object instance id.
    var objectInstanceId: Int
    /// The resource instance id of a multiple resource, `nil` for a single resource.
    var resourceInstanceId: Int?
    /// Integer, Unsigned Integer (bit pattern), Time.
    var valueInteger: Int64?
    /// Float.
    var valueReal: Double?
    /// String, Corelnk, Objlnk.
    var valueText: String?
    /// Opaque.
    var valueBlob: Data?
    /// Boolean.
    var valueBool: Bool?
    /// The value's instant, epoch milliseconds: the client's time when it gave one, else the arrival.
    var timestamp: Int64
    /// When the server received it, epoch milliseconds.
    var receivedAt: Int64

    /// The table's columns, for queries.
    enum Columns {
        /// `id`.
        static let id = Column(CodingKeys.id)
        /// `endpointId`.
        static let endpointId = Column(CodingKeys.endpointId)
        /// `resourceTypeId`.
        static let resourceTypeId = Column(CodingKeys.resourceTypeId)
        /// `objectInstanceId`.
        static let objectInstanceId = Column(CodingKeys.objectInstanceId)
        /// `resourceInstanceId`.
        static let resourceInstanceId = Column(CodingKeys.resourceInstanceId)
        /// `timestamp`.
        static let timestamp = Column(CodingKeys.timestamp)
        /// `receivedAt`.
        static let receivedAt = Column(CodingKeys.receivedAt)
    }

    /// Creates a row for `columns` (no id yet).
    init(
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
    var columns: ResourceValueColumns {
        ResourceValueColumns(integer: valueInteger, real: valueReal, text: valueText, blob: valueBlob, bool: valueBool)
    }

    /// Records the id SQLite assigned on insert.
    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
