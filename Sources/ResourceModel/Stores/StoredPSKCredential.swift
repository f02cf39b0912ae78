import Foundation
import LwM2M

/// A PSK credential as the database holds it: the credential and when it was provisioned and last changed.
public struct StoredPSKCredential: Sendable, Equatable {
    /// The endpoint name, identity and key.
    public var credential: PSKCredential
    /// When the endpoint's first credential was stored (kept when it is replaced).
    public var createdAt: Date
    /// When the credential was last stored.
    public var updatedAt: Date

    /// Creates a stored credential.
    public init(credential: PSKCredential, createdAt: Date, updatedAt: Date) {
        self.credential = credential
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
