import GRDB

extension AppDatabase {
    /// v5: the transport of each endpoint's last Register or Update (`udp` or `dtls`), so that after a restart
    /// a DTLS device is never reached in plaintext. Rows written before v5 do not say; an endpoint that holds a
    /// PSK credential can only have used DTLS (plain CoAP is refused for it), so it is marked `dtls`.
    static func addEndpointTransport(_ db: Database) throws {
        try db.alter(table: "endpoint") { t in
            t.add(column: "transport", .text).notNull().defaults(to: "udp")
        }
        try db.execute(sql: """
            UPDATE endpoint SET transport = 'dtls' WHERE name IN (SELECT endpoint FROM endpoint_security)
            """)
    }
}
