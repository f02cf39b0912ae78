import GRDB

extension AppDatabase {
    /// v6: the device model an uploaded firmware image targets (`/3/0/1` Model Number), optional.
    static func addFirmwareModel(_ db: Database) throws {
        try db.alter(table: "firmware") { t in
            t.add(column: "model", .text)
        }
    }
}
