import GRDB

extension AppDatabase {
    /// v2: telemetry. Event rules, the latest value of every series, persisted observations, observation
    /// profiles, and the series index range queries need.
    ///
    /// - `resource_on_series`: `(endpointId, resourceTypeId, objectInstanceId, resourceInstanceId, timestamp)`
    ///   (plus the implicit rowid) serves one-series range queries and keyset paging on `(timestamp, id)`; it
    ///   replaces v1's `resource_on_series_timestamp`, whose columns are its prefix.
    /// - `resource_latest`: one row per series pointing at its newest `resource` row (`resourceInstanceKey` is
    ///   the resource instance id, or -1 for a single resource, so the primary key has no NULLs).
    /// - `event_rule`: which resource types (`"3303/5700"`) of one report make an `event` of type `name`.
    /// - `observation`: the LwM2M server's active observations, so notifications are recognised after a restart;
    ///   keyed by endpoint *name* without a foreign key (an observation may be saved before the registration
    ///   recorder has written its endpoint row).
    /// - `observation_profile`: observations to establish when a matching endpoint registers.
    static func createTelemetryModel(_ db: Database) throws {
        try db.drop(index: "resource_on_series_timestamp")
        try db.create(
            index: "resource_on_series", on: "resource",
            columns: ["endpointId", "resourceTypeId", "objectInstanceId", "resourceInstanceId", "timestamp"])

        try db.create(table: "resource_latest") { t in
            t.column("endpointId", .integer).notNull().references("endpoint", onDelete: .cascade)
            t.column("resourceTypeId", .integer).notNull().references("resource_type", onDelete: .cascade)
            t.column("objectInstanceId", .integer).notNull()
            t.column("resourceInstanceKey", .integer).notNull()  // resource instance id, -1 for a single resource
            t.column("resourceId", .integer).notNull().references("resource", onDelete: .cascade)
            t.column("timestamp", .integer).notNull()
            t.primaryKey(["endpointId", "resourceTypeId", "objectInstanceId", "resourceInstanceKey"])
        }
        try db.create(index: "resource_latest_on_resourceId", on: "resource_latest", columns: ["resourceId"])
        try db.create(index: "resource_latest_on_resourceTypeId", on: "resource_latest", columns: ["resourceTypeId"])
        // Rows stored before v2: the newest row of each series (highest id among equal timestamps).
        try db.execute(sql: """
            INSERT INTO resource_latest
                (endpointId, resourceTypeId, objectInstanceId, resourceInstanceKey, resourceId, timestamp)
            SELECT endpointId, resourceTypeId, objectInstanceId, coalesce(resourceInstanceId, -1), id, timestamp
            FROM resource AS r
            WHERE r.id = (
                SELECT s.id FROM resource AS s
                WHERE s.endpointId = r.endpointId AND s.resourceTypeId = r.resourceTypeId
                    AND s.objectInstanceId = r.objectInstanceId AND s.resourceInstanceId IS r.resourceInstanceId
                ORDER BY s.timestamp DESC, s.id DESC LIMIT 1)
            """)

        try db.create(table: "event_rule") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("name", .text).notNull().unique()
            t.column("resourceTypes", .jsonText).notNull()  // ["3303/5700", "3304/5700"]
            t.column("createdAt", .integer).notNull()
        }

        try db.create(table: "observation") { t in
            t.primaryKey("id", .text)
            t.column("endpoint", .text).notNull()
            t.column("registrationId", .text).notNull()
            t.column("paths", .jsonText).notNull()  // ["/3303/0/5700"]
            t.column("composite", .boolean).notNull()
            t.column("token", .blob).notNull()
            t.column("format", .integer).notNull()  // content format number
            t.column("attributes", .jsonText)  // {"pmin":1,"pmax":10}
            t.column("createdAt", .integer).notNull()
        }
        try db.create(index: "observation_on_endpoint", on: "observation", columns: ["endpoint"])

        try db.create(table: "observation_profile") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("name", .text).notNull().unique()
            t.column("objectId", .integer)
            t.column("endpointPattern", .text)  // glob: "sim-*"
            t.column("paths", .jsonText).notNull()  // ["/3303/0/5700"]
            t.column("attributes", .jsonText)
            t.column("createdAt", .integer).notNull()
            t.check(sql: "objectId IS NULL OR objectId BETWEEN 0 AND 65535")
        }
    }
}
