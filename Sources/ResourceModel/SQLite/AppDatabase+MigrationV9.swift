import GRDB

extension AppDatabase {
    /// v9: DTLS credentials with raw public keys and certificates. `endpoint_pki_credential` holds at most one per
    /// endpoint name (like `endpoint_security`, no foreign key): `kind` `rpk` with the DER SubjectPublicKeyInfo in
    /// `publicKey` (unique: a key names one device), or `x509` with the certificate `subject` (unique). An endpoint
    /// has a row in one of the two credential tables at most; writes keep it so.
    static func createPKICredentials(_ db: Database) throws {
        try db.create(table: "endpoint_pki_credential") { t in
            t.primaryKey("endpoint", .text)
            t.column("kind", .text).notNull()
            t.column("publicKey", .blob).unique()
            t.column("subject", .text).unique()
            t.column("createdAt", .integer).notNull()
            t.column("updatedAt", .integer).notNull()
            t.check(sql: """
                length(endpoint) > 0 AND ((kind = 'rpk' AND length(publicKey) > 0 AND subject IS NULL) \
                OR (kind = 'x509' AND length(subject) > 0 AND publicKey IS NULL))
                """)
        }
    }
}
