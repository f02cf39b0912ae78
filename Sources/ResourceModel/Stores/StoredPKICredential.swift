import Foundation
import LwM2M

/// A raw public key or certificate credential as stored, with when it was first and last stored.
public struct StoredPKICredential: Sendable, Equatable {
    /// The endpoint name and what its device presents.
    public var credential: PKICredential
    /// When the endpoint's first credential of this kind was stored (kept when it is replaced by one of its kind).
    public var createdAt: Date
    /// When the credential was last stored.
    public var updatedAt: Date

    /// Creates a stored credential.
    public init(credential: PKICredential, createdAt: Date, updatedAt: Date) {
        self.credential = credential
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
