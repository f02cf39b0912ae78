import Foundation
import LwM2M

/// The durable copy of the DTLS pre-shared keys (RFC 4279; LwM2M 1.1 Transport §5.2.8.1). The handshake reads
/// keys from a `PSKCredentialStore` in memory: load it from `pskCredentials()` at start and pass it as
/// `mirroringTo` to every change so it follows the durable copy. `AppDatabase` implements it.
public protocol CredentialStore: Sendable {
    /// Every credential with its instants, sorted by endpoint name.
    func storedPSKCredentials() async throws -> [StoredPSKCredential]

    /// The credential of `endpoint` with its instants, or `nil`.
    func storedPSKCredential(endpoint: String) async throws -> StoredPSKCredential?

    /// Stores `credential`, replacing the endpoint's previous one (keeping its creation instant); returns the
    /// stored credential as later reads give it and whether the endpoint had none. Throws
    /// `PSKCredentialError.identityTaken` (and changes nothing) when another endpoint uses the identity. When
    /// `store` is given it gets the same change once the change is durable, in commit order.
    func savePSKCredentialAndFetch(
        _ credential: PSKCredential, at now: Date, mirroringTo store: PSKCredentialStore?
    ) async throws -> (stored: StoredPSKCredential, created: Bool)

    /// Deletes the credential of `endpoint`; `false` when it had none. When `store` is given the endpoint's
    /// credential leaves it too once the change is durable.
    @discardableResult
    func deletePSKCredential(endpoint: String, mirroringTo store: PSKCredentialStore?) async throws -> Bool
}

extension CredentialStore {
    /// Every credential, sorted by endpoint name.
    public func pskCredentials() async throws -> [PSKCredential] {
        try await storedPSKCredentials().map(\.credential)
    }

    /// The credential of `endpoint`, or `nil`.
    public func pskCredential(endpoint: String) async throws -> PSKCredential? {
        try await storedPSKCredential(endpoint: endpoint)?.credential
    }

    /// Stores `credential`; `true` when the endpoint had none (see `savePSKCredentialAndFetch`).
    @discardableResult
    public func savePSKCredential(
        _ credential: PSKCredential, at now: Date = Date(), mirroringTo store: PSKCredentialStore? = nil
    ) async throws -> Bool {
        try await savePSKCredentialAndFetch(credential, at: now, mirroringTo: store).created
    }
}
