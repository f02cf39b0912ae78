import Foundation
import GRDB

/// The REST API's named tokens (`api_token`), an `APITokenStore`.
extension AppDatabase: APITokenStore {
    /// Every token, sorted by name.
    public func apiTokens() async throws -> [StoredAPIToken] {
        try await writer.read { db in
            try APITokenRecord.order(APITokenRecord.Columns.name).fetchAll(db).map(\.stored)
        }
    }

    /// The token whose SHA-256 is `tokenHash`, or `nil`.
    public func apiToken(hash tokenHash: String) async throws -> StoredAPIToken? {
        try await writer.read { db in
            try APITokenRecord.filter(APITokenRecord.Columns.tokenHash == tokenHash).fetchOne(db)?.stored
        }
    }

    /// Stores a new token; `APITokenStoreError.nameTaken` when the name is in use.
    public func insertAPIToken(_ token: StoredAPIToken) async throws {
        try await writer.write { db in
            if try APITokenRecord.exists(db, key: token.name) { throw APITokenStoreError.nameTaken(token.name) }
            try APITokenRecord(token).insert(db)
        }
    }

    /// Deletes the token named `name`; `false` when there is none.
    @discardableResult
    public func deleteAPIToken(name: String) async throws -> Bool {
        try await writer.write { db in try APITokenRecord.deleteOne(db, key: name) }
    }

    /// Records that the token named `name` was presented at `instant`.
    public func recordAPITokenUse(name: String, at instant: Date) async throws {
        try await writer.write { db in
            _ = try APITokenRecord.filter(key: name)
                .updateAll(db, APITokenRecord.Columns.lastUsedAt.set(to: Int64((instant.timeIntervalSince1970 * 1000).rounded(.down))))
        }
    }
}
