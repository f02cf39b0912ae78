import Foundation
import GRDB
import LwM2M

/// The durable copy of the DTLS pre-shared keys (`endpoint_security`), a `CredentialStore`.
extension AppDatabase: CredentialStore {
    /// Every credential with its instants, sorted by endpoint name.
    public func storedPSKCredentials() async throws -> [StoredPSKCredential] {
        try await writer.read { db in
            try PSKCredentialRecord.order(PSKCredentialRecord.Columns.endpoint).fetchAll(db).map(\.stored)
        }
    }

    /// The credential of `endpoint` with its instants, or `nil`.
    public func storedPSKCredential(endpoint: String) async throws -> StoredPSKCredential? {
        try await writer.read { db in
            try PSKCredentialRecord.fetchOne(db, key: endpoint)?.stored
        }
    }

    /// Stores `credential` and returns the stored row (the creation instant is kept on a replacement).
    ///
    /// Throws `PSKCredentialError.identityTaken` (and changes nothing) when another endpoint uses the identity.
    /// When `store` is given it gets the same change once the transaction commits, in commit order.
    public func savePSKCredentialAndFetch(
        _ credential: PSKCredential, at now: Date = Date(), mirroringTo store: PSKCredentialStore? = nil
    ) async throws -> (stored: StoredPSKCredential, created: Bool) {
        try await writer.write { db in
            typealias Columns = PSKCredentialRecord.Columns
            let owner = try PSKCredentialRecord
                .filter(Columns.identity == credential.identity && Columns.endpoint != credential.endpoint)
                .fetchOne(db)
            if let owner {
                throw PSKCredentialError.identityTaken(identity: credential.identity, endpoint: owner.endpoint)
            }
            let existing = try PSKCredentialRecord.fetchOne(db, key: credential.endpoint)
            let record = PSKCredentialRecord(credential, createdAt: existing?.createdAt ?? now, updatedAt: now)
            try record.save(db)
            if let store {
                db.afterNextTransaction { _ in Self.mirror(credential, into: store) }
            }
            // Read back: instants are stored in whole milliseconds, and the answer must match later reads.
            let saved = try PSKCredentialRecord.fetchOne(db, key: credential.endpoint) ?? record
            return (saved.stored, existing == nil)
        }
    }

    /// Deletes the credential of `endpoint`; `false` when it had none. When `store` is given the endpoint's
    /// credential leaves it too once the transaction commits.
    @discardableResult
    public func deletePSKCredential(endpoint: String, mirroringTo store: PSKCredentialStore? = nil) async throws
        -> Bool
    {
        try await writer.write { db in
            let deleted = try PSKCredentialRecord.deleteOne(db, key: endpoint)
            if let store {
                db.afterNextTransaction { _ in store.remove(endpoint: endpoint) }
            }
            return deleted
        }
    }

    /// Puts a committed credential into `store`. The database is the authority: when the store still gives the
    /// identity to another endpoint (a change it missed), that endpoint's stale credential leaves the store.
    private static func mirror(_ credential: PSKCredential, into store: PSKCredentialStore) {
        do {
            try store.set(credential)
        } catch {
            switch error {
            case .identityTaken(_, let endpoint):
                store.remove(endpoint: endpoint)
            }
            try? store.set(credential)
        }
    }
}
