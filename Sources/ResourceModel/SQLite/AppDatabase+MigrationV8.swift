import GRDB

extension AppDatabase {
    /// v8: the REST API's named tokens (`api_token`): name, role, the SHA-256 of the token (never the token),
    /// when it was made, when it expires (`NULL`: never) and when it was last presented.
    static func createAPITokens(_ db: Database) throws {
        try db.create(table: "api_token") { t in
            t.primaryKey("name", .text)
            t.column("role", .text).notNull()
            t.column("tokenHash", .text).notNull().unique()
            t.column("createdAt", .integer).notNull()
            t.column("expiresAt", .integer)
            t.column("lastUsedAt", .integer)
        }
    }
}
