import GRDB

extension AppDatabase {
    /// The schema history. A migration is never edited once it has landed: add a new one instead.
    /// Migrations spell raw tables and columns only, never app types, so they stay valid as the code evolves.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1", migrate: createGenericModel)
        migrator.registerMigration("v2", migrate: createTelemetryModel)
        migrator.registerMigration("v3", migrate: createOperationQueue)
        migrator.registerMigration("v4", migrate: createEndpointSecurity)
        migrator.registerMigration("v5", migrate: addEndpointTransport)
        migrator.registerMigration("v6", migrate: addFirmwareModel)
        migrator.registerMigration("v7", migrate: createFirmwareUpdateDocuments)
        migrator.registerMigration("v8", migrate: createAPITokens)
        migrator.registerMigration("v9", migrate: createPKICredentials)
        return migrator
    }

    /// v1: the generic model (endpoints, resource time series, events, operations queue, firmware).
    ///
    /// Conventions: instants are epoch milliseconds (`INTEGER`), booleans 0/1, JSON in `TEXT`; every child row
    /// references its parent with `ON DELETE CASCADE` and every foreign key is indexed.
    private static func createGenericModel(_ db: Database) throws {
        try createEndpointTable(db)
        try createResourceTables(db)
        try createEventTables(db)
        try createOperationTables(db)
        try createFirmwareTables(db)
    }

    /// `endpoint`: one row per client endpoint name, kept across de-registrations and restarts.
    private static func createEndpointTable(_ db: Database) throws {
        try db.create(table: "endpoint") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("name", .text).notNull().unique()
            t.column("registrationId", .text)
            t.column("lwm2mVersion", .text).notNull()
            t.column("binding", .text).notNull()
            t.column("queueMode", .boolean).notNull()
            t.column("lifetime", .integer).notNull()
            t.column("smsNumber", .text)
            t.column("rootPath", .text).notNull()
            t.column("objectLinks", .jsonText).notNull()  // [{"objectId":3,"instanceId":0,"version":"1.1"}]
            t.column("supportedContentFormats", .jsonText).notNull()  // [110, 112]
            t.column("address", .text).notNull()
            t.column("registeredAt", .integer).notNull()
            t.column("lastSeen", .integer).notNull()
            t.column("online", .boolean).notNull().defaults(to: false)
            t.column("createdAt", .integer).notNull()
        }
        try db.create(
            index: "endpoint_on_registrationId", on: "endpoint", columns: ["registrationId"],
            options: .unique, condition: Column("registrationId") != nil)
        try db.create(index: "endpoint_on_online_name", on: "endpoint", columns: ["online", "name"])
    }

    /// `resource_type` (the object model) and `resource` (the value time series).
    ///
    /// Value scheme of `resource`: at most one `value*` column is non-null, chosen by the type's `dataType`:
    /// Integer, Unsigned Integer, Time (epoch seconds) → `valueInteger`; Float → `valueReal`; Boolean →
    /// `valueBool`; String, Corelnk, Objlnk (`"3:0"`) → `valueText`; Opaque → `valueBlob`; all null = no value.
    private static func createResourceTables(_ db: Database) throws {
        try db.create(table: "resource_type") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("objectId", .integer).notNull()
            t.column("resourceId", .integer).notNull()
            t.column("name", .text).notNull()
            t.column("dataType", .text).notNull()  // "Integer", "String", "Opaque", ... (LwM2M 1.1 Core Appendix C)
            t.column("units", .text)
            t.column("multiple", .boolean).notNull().defaults(to: false)
            t.column("mandatory", .boolean).notNull().defaults(to: false)
            t.column("operations", .text).notNull().defaults(to: "")  // "", "R", "W", "RW", "E"
            t.uniqueKey(["objectId", "resourceId"])
        }
        try db.create(table: "resource") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("endpointId", .integer).notNull().references("endpoint", onDelete: .cascade)
            t.column("resourceTypeId", .integer).notNull().references("resource_type", onDelete: .cascade)
            t.column("objectInstanceId", .integer).notNull()
            t.column("resourceInstanceId", .integer)
            t.column("valueInteger", .integer)
            t.column("valueReal", .double)
            t.column("valueText", .text)
            t.column("valueBlob", .blob)
            t.column("valueBool", .boolean)
            t.column("timestamp", .integer).notNull()
            t.column("receivedAt", .integer).notNull()
            t.check(sql: """
                (valueInteger IS NOT NULL) + (valueReal IS NOT NULL) + (valueText IS NOT NULL) \
                + (valueBlob IS NOT NULL) + (valueBool IS NOT NULL) <= 1
                """)
        }
        try db.create(
            index: "resource_on_series_timestamp", on: "resource",
            columns: ["endpointId", "resourceTypeId", "objectInstanceId", "timestamp"])
        try db.create(index: "resource_on_resourceTypeId", on: "resource", columns: ["resourceTypeId"])
    }

    /// `event` (something a client reported at one instant) and `event_resource` (the values it carried).
    private static func createEventTables(_ db: Database) throws {
        try db.create(table: "event") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("endpointId", .integer).notNull().references("endpoint", onDelete: .cascade)
            t.column("type", .text).notNull()
            t.column("timestamp", .integer).notNull()
        }
        try db.create(index: "event_on_endpointId_timestamp", on: "event", columns: ["endpointId", "timestamp"])
        try db.create(index: "event_on_type_timestamp", on: "event", columns: ["type", "timestamp"])
        try db.create(table: "event_resource") { t in
            t.column("eventId", .integer).notNull().references("event", onDelete: .cascade)
            t.column("resourceId", .integer).notNull().references("resource", onDelete: .cascade)
            t.primaryKey(["eventId", "resourceId"])
        }
        try db.create(index: "event_resource_on_resourceId", on: "event_resource", columns: ["resourceId"])
    }

    /// `endpoint_operation` (the per-endpoint queue of requests to send) and its status history.
    private static func createOperationTables(_ db: Database) throws {
        try db.create(table: "endpoint_operation") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("endpointId", .integer).notNull().references("endpoint", onDelete: .cascade)
            t.column("kind", .text).notNull()  // "read", "write", "execute", "observe", ...
            t.column("paths", .jsonText).notNull()  // ["/3/0/0", "/3/0/1"]
            t.column("payload", .jsonText)
            t.column("priority", .integer).notNull().defaults(to: 0)
            t.column("status", .text).notNull()  // OperationStatus: "queued", "sending", "succeeded", ...
            t.column("attempts", .integer).notNull().defaults(to: 0)
            t.column("maxAttempts", .integer).notNull().defaults(to: 1)
            t.column("createdAt", .integer).notNull()
            t.column("notBefore", .integer)
            t.column("expiresAt", .integer)
            t.column("lastError", .text)
            t.column("result", .jsonText)
            t.column("updatedAt", .integer).notNull()
            t.check(sql: "attempts >= 0 AND maxAttempts >= 1")
        }
        try db.create(
            index: "endpoint_operation_on_queue", on: "endpoint_operation",
            columns: ["endpointId", "status", "priority", "createdAt"])
        try db.create(table: "endpoint_operation_history") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("operationId", .integer).notNull().references("endpoint_operation", onDelete: .cascade)
            t.column("fromStatus", .text)  // null for the creation entry
            t.column("toStatus", .text).notNull()
            t.column("at", .integer).notNull()
            t.column("note", .text)
        }
        try db.create(
            index: "endpoint_operation_history_on_operationId_at", on: "endpoint_operation_history",
            columns: ["operationId", "at"])
    }

    /// `firmware` (uploaded images) and `firmware_update` (one attempt to install an image on an endpoint).
    private static func createFirmwareTables(_ db: Database) throws {
        try db.create(table: "firmware") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("name", .text).notNull()
            t.column("version", .text).notNull()
            t.column("size", .integer).notNull()
            t.column("sha256", .text).notNull()  // lowercase hex
            t.column("contentType", .text).notNull()
            t.column("storedPath", .text).notNull()  // relative to the data directory
            t.column("createdAt", .integer).notNull()
            t.uniqueKey(["name", "version"])
            t.check(sql: "size >= 0")
        }
        try db.create(index: "firmware_on_sha256", on: "firmware", columns: ["sha256"])
        try db.create(table: "firmware_update") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("endpointId", .integer).notNull().references("endpoint", onDelete: .cascade)
            t.column("firmwareId", .integer).notNull().references("firmware", onDelete: .cascade)
            t.column("state", .integer).notNull()  // /5/0/3 State (LwM2M 1.1 Core E.6)
            t.column("result", .integer).notNull()  // /5/0/5 Update Result
            t.column("method", .text).notNull()  // "push" (/5/0/0) or "pull" (/5/0/1)
            t.column("startedAt", .integer).notNull()
            t.column("updatedAt", .integer).notNull()
        }
        try db.create(
            index: "firmware_update_on_endpointId_startedAt", on: "firmware_update",
            columns: ["endpointId", "startedAt"])
        try db.create(index: "firmware_update_on_firmwareId", on: "firmware_update", columns: ["firmwareId"])
    }
}
