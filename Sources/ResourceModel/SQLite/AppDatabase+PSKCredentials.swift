import Foundation
import GRDB
import LwM2M

/// The durable copy of the DTLS credentials (`endpoint_security` for PSKs, `endpoint_pki_credential` for raw public
/// keys and certificates), a `CredentialStore`.
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
        _ credential: PSKCredential, at now: Date = Date(), mirroringTo store: DTLSCredentialStore? = nil
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
            let replacedPKI = try PKICredentialRecord.deleteOne(db, key: credential.endpoint)
            if let store {
                db.afterNextTransaction { _ in Self.mirror(credential, into: store) }
            }
            // Read back: instants are stored in whole milliseconds, and the answer must match later reads.
            let saved = try PSKCredentialRecord.fetchOne(db, key: credential.endpoint) ?? record
            return (saved.stored, existing == nil && !replacedPKI)
        }
    }

    /// Deletes the credential of `endpoint`, of whichever kind; `false` when it had none. When `store` is given the endpoint's
    /// credential leaves it too once the transaction commits.
    @discardableResult
    public func deleteCredential(endpoint: String, mirroringTo store: DTLSCredentialStore? = nil) async throws
        -> Bool
    {
        try await writer.write { db in
            let psk = try PSKCredentialRecord.deleteOne(db, key: endpoint)
            let pki = try PKICredentialRecord.deleteOne(db, key: endpoint)
            let deleted = psk || pki
            if let store {
                db.afterNextTransaction { _ in store.remove(endpoint: endpoint) }
            }
            return deleted
        }
    }

    /// Puts a committed credential into `store`. The database is the authority: when the store still gives the
    /// identity to another endpoint (a change it missed), that endpoint's stale credential leaves the store.
    private static func mirror(_ credential: PSKCredential, into store: DTLSCredentialStore) {
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

    /// Every raw public key and certificate credential with its instants, sorted by endpoint name.
    public func storedPKICredentials() async throws -> [StoredPKICredential] {
        try await writer.read { db in
            try PKICredentialRecord.order(PKICredentialRecord.Columns.endpoint).fetchAll(db).map(\.stored)
        }
    }

    /// The raw public key or certificate credential of `endpoint` with its instants, or `nil`.
    public func storedPKICredential(endpoint: String) async throws -> StoredPKICredential? {
        try await writer.read { db in
            try PKICredentialRecord.fetchOne(db, key: endpoint)?.stored
        }
    }

    /// Stores `credential` (dropping the endpoint's PSK) and returns the stored row; the creation instant is kept
    /// when it replaces one of its kind. Throws `PKICredentialError` (and changes nothing) when another endpoint has
    /// the key or subject.
    public func savePKICredentialAndFetch(
        _ credential: PKICredential, at now: Date = Date(), mirroringTo store: DTLSCredentialStore? = nil
    ) async throws -> (stored: StoredPKICredential, created: Bool) {
        try await writer.write { db in
            typealias Columns = PKICredentialRecord.Columns
            let others = PKICredentialRecord.filter(Columns.endpoint != credential.endpoint)
            switch credential.kind {
            case .rawPublicKey(let key):
                if let owner = try others.filter(Columns.publicKey == Data(key)).fetchOne(db) {
                    throw PKICredentialError.publicKeyTaken(endpoint: owner.endpoint)
                }
            case .certificate(let subject):
                if let owner = try others.filter(Columns.subject == subject).fetchOne(db) {
                    throw PKICredentialError.subjectTaken(subject: subject, endpoint: owner.endpoint)
                }
            }
            let existing = try PKICredentialRecord.fetchOne(db, key: credential.endpoint)
            let keptCreation = existing.flatMap { $0.kind == credential.mode ? $0.createdAt : nil }
            let record = PKICredentialRecord(credential, createdAt: keptCreation ?? now, updatedAt: now)
            try record.save(db)
            let replacedPSK = try PSKCredentialRecord.deleteOne(db, key: credential.endpoint)
            if let store {
                db.afterNextTransaction { _ in Self.mirror(credential, into: store) }
            }
            let saved = try PKICredentialRecord.fetchOne(db, key: credential.endpoint) ?? record
            return (saved.stored, existing == nil && !replacedPSK)
        }
    }

    /// Puts a committed raw public key or certificate credential into `store`; a stale holder of the same key or
    /// subject leaves it (the database is the authority).
    private static func mirror(_ credential: PKICredential, into store: DTLSCredentialStore) {
        do {
            try store.set(credential)
        } catch {
            switch error {
            case .publicKeyTaken(let endpoint), .subjectTaken(_, let endpoint):
                store.remove(endpoint: endpoint)
            }
            try? store.set(credential)
        }
    }
}
