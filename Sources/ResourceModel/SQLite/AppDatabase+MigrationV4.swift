import GRDB

extension AppDatabase {
    /// v4: DTLS pre-shared keys. `endpoint_security` holds one PSK credential per endpoint *name*, without a
    /// foreign key to `endpoint`: credentials are provisioned before a device ever registers. The identity is
    /// unique (a handshake picks the key by identity); instants are epoch milliseconds.
    static func createEndpointSecurity(_ db: Database) throws {
        try db.create(table: "endpoint_security") { t in
            t.primaryKey("endpoint", .text)
            t.column("identity", .text).notNull().unique()
            t.column("key", .blob).notNull()
            t.column("createdAt", .integer).notNull()
            t.column("updatedAt", .integer).notNull()
            t.check(sql: "length(endpoint) > 0 AND length(identity) > 0 AND length(key) > 0")
        }
    }
}
