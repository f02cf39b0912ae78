import Foundation
import GRDB

/// Uploaded firmware images (`firmware`), a `FirmwareStore`.
extension AppDatabase: FirmwareStore {
    public func addFirmware(_ image: FirmwareImage, at now: Date) async throws -> (image: FirmwareImage, created: Bool) {
        try await writer.write { db in
            typealias Columns = FirmwareRecord.Columns
            if let existing = try FirmwareRecord
                .filter(Columns.name == image.name && Columns.version == image.version).fetchOne(db)
            {
                guard existing.sha256 == image.sha256 else { throw FirmwareStoreError.versionTaken(existing.image) }
                return (existing.image, false)
            }
            var record = FirmwareRecord(image, createdAt: now)
            try record.insert(db)
            // Read back: instants are stored in whole milliseconds, and the answer must match later reads.
            let saved = try FirmwareRecord.fetchOne(db, key: record.id) ?? record
            return (saved.image, true)
        }
    }

    public func firmware(id: Int64) async throws -> FirmwareImage? {
        try await writer.read { db in try FirmwareRecord.fetchOne(db, key: id)?.image }
    }

    public func allFirmware() async throws -> [FirmwareImage] {
        try await writer.read { db in
            try FirmwareRecord.order(FirmwareRecord.Columns.createdAt.desc, Column("id").desc).fetchAll(db).map(\.image)
        }
    }

    public func removeFirmware(id: Int64) async throws -> (image: FirmwareImage, fileShared: Bool)? {
        try await writer.write { db in
            guard let record = try FirmwareRecord.fetchOne(db, key: id) else { return nil }
            // `firmware_update` cascades from `firmware` (v1): removing an image in use would erase its history.
            let updates = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM firmware_update WHERE firmwareId = ?", arguments: [id]) ?? 0
            let campaigns = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM firmware_campaign WHERE firmwareId = ?", arguments: [id]) ?? 0
            guard updates == 0 && campaigns == 0 else {
                throw FirmwareStoreError.inUse(id: id, updates: updates, campaigns: campaigns)
            }
            try FirmwareRecord.deleteOne(db, key: id)
            let sharing = try FirmwareRecord.filter(FirmwareRecord.Columns.sha256 == record.sha256).fetchCount(db)
            return (record.image, sharing > 0)
        }
    }

    public func firmwareCount(sha256: String) async throws -> Int {
        try await writer.read { db in
            try FirmwareRecord.filter(FirmwareRecord.Columns.sha256 == sha256).fetchCount(db)
        }
    }
}
