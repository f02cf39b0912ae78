import Foundation
import GRDB

/// One row of `api_token`.
struct APITokenRecord: Codable, Sendable, Equatable, PersistableRecord, EpochMillisecondRecord {
    /// The table name.
    static let databaseTableName = "api_token"

    var name: String
    var role: String
    var tokenHash: String
    var createdAt: Date
    var expiresAt: Date?
    var lastUsedAt: Date?

    /// The table's columns, for queries.
    enum Columns {
        static let name = Column(CodingKeys.name)
        static let tokenHash = Column(CodingKeys.tokenHash)
        static let lastUsedAt = Column(CodingKeys.lastUsedAt)
    }

    /// The row of `token`.
    init(_ token: StoredAPIToken) {
        name = token.name
        role = token.role
        tokenHash = token.tokenHash
        createdAt = token.createdAt
        expiresAt = token.expiresAt
        lastUsedAt = token.lastUsedAt
    }

    /// The token this row stores.
    var stored: StoredAPIToken {
        StoredAPIToken(
            name: name, role: role, tokenHash: tokenHash, createdAt: createdAt, expiresAt: expiresAt,
            lastUsedAt: lastUsedAt)
    }
}
