import GRDB

extension AppDatabase {
    /// v7: firmware updates as state-machine documents, and campaigns.
    ///
    /// `firmware_update` keeps its v1 columns (`state` and `result` now hold the last `/5/0/3` and `/5/0/5` seen,
    /// `method` the delivery method) and gains the server-side `phase`, `active` (at most one active update per
    /// endpoint: a partial unique index), the `campaignId` that started it, the firmware module's `document`
    /// (JSON), and the download link (`downloadToken`, `downloadExpiresAt`) that must survive a restart.
    /// `firmware_campaign` holds one campaign each: `status` and the module's `document`. Rows from before v7
    /// (nothing wrote them) become inactive.
    static func createFirmwareUpdateDocuments(_ db: Database) throws {
        try db.create(table: "firmware_campaign") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("firmwareId", .integer).notNull().references("firmware")
            t.column("status", .text).notNull()
            t.column("document", .text).notNull()
            t.column("createdAt", .integer).notNull()
            t.column("updatedAt", .integer).notNull()
        }
        try db.create(index: "firmware_campaign_on_firmwareId", on: "firmware_campaign", columns: ["firmwareId"])
        try db.alter(table: "firmware_update") { t in
            t.add(column: "phase", .text).notNull().defaults(to: "failed")
            t.add(column: "active", .boolean).notNull().defaults(to: false)
            t.add(column: "campaignId", .integer).references("firmware_campaign", onDelete: .setNull)
            t.add(column: "document", .text)
            t.add(column: "downloadToken", .text)
            t.add(column: "downloadExpiresAt", .integer)
        }
        try db.execute(sql: """
            CREATE UNIQUE INDEX firmware_update_one_active_per_endpoint ON firmware_update(endpointId) WHERE active
            """)
        try db.create(index: "firmware_update_on_campaignId", on: "firmware_update", columns: ["campaignId"])
        try db.execute(sql: "CREATE INDEX firmware_update_on_active ON firmware_update(active) WHERE active")
    }
}
