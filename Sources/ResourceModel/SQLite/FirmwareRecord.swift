import Foundation
import GRDB

/// One row of the `firmware` table (migration v1; `model` since v6).
struct FirmwareRecord: Codable, Sendable, Equatable, MutablePersistableRecord, EpochMillisecondRecord {
    /// The table name.
    static let databaseTableName = "firmware"

    var id: Int64?
    var name: String
    var version: String
    var model: String?
    var size: Int64
    var sha256: String
    var contentType: String
    var storedPath: String
    var createdAt: Date

    /// The table's columns, for queries.
    enum Columns {
        static let name = Column(CodingKeys.name)
        static let version = Column(CodingKeys.version)
        static let sha256 = Column(CodingKeys.sha256)
        static let createdAt = Column(CodingKeys.createdAt)
    }

    /// The row of `image`, without its id (the database gives one).
    init(_ image: FirmwareImage, createdAt: Date) {
        id = nil
        name = image.name
        version = image.version
        model = image.model
        size = image.size
        sha256 = image.sha256
        contentType = image.contentType
        storedPath = image.storedPath
        self.createdAt = createdAt
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The domain value of this row.
    var image: FirmwareImage {
        FirmwareImage(
            id: id ?? 0, name: name, version: version, model: model, size: size, sha256: sha256,
            contentType: contentType, storedPath: storedPath, createdAt: createdAt)
    }
}
