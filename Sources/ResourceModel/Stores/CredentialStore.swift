import Foundation
import LwM2M

/// The durable copy of the endpoints' DTLS credentials: pre-shared keys (RFC 4279; LwM2M 1.1 Transport §5.2.8.1),
/// raw public keys (RFC 7250) and certificate subjects. The handshake reads them from a `DTLSCredentialStore` in
/// memory: load it from `pskCredentials()` and `pkiCredentials()` at start and pass it as `mirroringTo` to every
/// change so it follows the durable copy. An endpoint has one credential at most: storing one of a kind removes
/// the endpoint's credential of the other kind in the same transaction. `AppDatabase` implements it.
public protocol CredentialStore: Sendable {
    /// Every credential with its instants, sorted by endpoint name.
    func storedPSKCredentials() async throws -> [StoredPSKCredential]

    /// The credential of `endpoint` with its instants, or `nil`.
    func storedPSKCredential(endpoint: String) async throws -> StoredPSKCredential?

    /// Stores `credential`, replacing the endpoint's previous one (keeping its creation instant, or dropping a raw
    /// public key or certificate credential); returns the
    /// stored credential as later reads give it and whether the endpoint had none. Throws
    /// `PSKCredentialError.identityTaken` (and changes nothing) when another endpoint uses the identity. When
    /// `store` is given it gets the same change once the change is durable, in commit order.
    func savePSKCredentialAndFetch(
        _ credential: PSKCredential, at now: Date, mirroringTo store: DTLSCredentialStore?
    ) async throws -> (stored: StoredPSKCredential, created: Bool)

    /// Every raw public key and certificate credential with its instants, sorted by endpoint name.
    func storedPKICredentials() async throws -> [StoredPKICredential]

    /// The raw public key or certificate credential of `endpoint` with its instants, or `nil`.
    func storedPKICredential(endpoint: String) async throws -> StoredPKICredential?

    /// Stores `credential`, replacing the endpoint's previous one of its kind (keeping its creation instant) or
    /// its PSK; returns the stored credential and whether the endpoint had no credential before. Throws
    /// `PKICredentialError` (and changes nothing) when another endpoint has the key or subject. `store` follows as
    /// for PSKs.
    func savePKICredentialAndFetch(
        _ credential: PKICredential, at now: Date, mirroringTo store: DTLSCredentialStore?
    ) async throws -> (stored: StoredPKICredential, created: Bool)

    /// Deletes the credential of `endpoint`, of whichever kind; `false` when it had none. When `store` is given the
    /// endpoint's credential leaves it too once the change is durable.
    @discardableResult
    func deleteCredential(endpoint: String, mirroringTo store: DTLSCredentialStore?) async throws -> Bool
}

extension CredentialStore {
    /// Every credential, sorted by endpoint name.
    public func pskCredentials() async throws -> [PSKCredential] {
        try await storedPSKCredentials().map(\.credential)
    }

    /// Every raw public key and certificate credential, sorted by endpoint name.
    public func pkiCredentials() async throws -> [PKICredential] {
        try await storedPKICredentials().map(\.credential)
    }

    /// The credential of `endpoint`, or `nil`.
    public func pskCredential(endpoint: String) async throws -> PSKCredential? {
        try await storedPSKCredential(endpoint: endpoint)?.credential
    }

    /// Stores `credential`; `true` when the endpoint had none (see `savePSKCredentialAndFetch`).
    @discardableResult
    public func savePSKCredential(
        _ credential: PSKCredential, at now: Date = Date(), mirroringTo store: DTLSCredentialStore? = nil
    ) async throws -> Bool {
        try await savePSKCredentialAndFetch(credential, at: now, mirroringTo: store).created
    }
}
