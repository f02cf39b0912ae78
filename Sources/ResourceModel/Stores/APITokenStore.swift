import Foundation

/// A REST API token as the store keeps it: its name, role and instants, and only the SHA-256 of the token
/// itself (the token is shown once, when it is made, and cannot be read back).
public struct StoredAPIToken: Sendable, Equatable {
    /// The unique name an operator gave it (`grafana`, `ci`).
    public var name: String
    /// The role's name (`reader`, `operator`, `admin`).
    public var role: String
    /// The SHA-256 of the token's UTF-8 bytes, 64 lowercase hex digits.
    public var tokenHash: String
    /// When it was made.
    public var createdAt: Date
    /// When it stops working, `nil` for never.
    public var expiresAt: Date?
    /// When it was last presented (recorded at most about once a minute), `nil` for never.
    public var lastUsedAt: Date?

    /// Creates a stored token from its fields.
    public init(
        name: String, role: String, tokenHash: String, createdAt: Date, expiresAt: Date? = nil, lastUsedAt: Date? = nil
    ) {
        self.name = name
        self.role = role
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }
}

/// Why a token could not be stored.
public enum APITokenStoreError: Error, Equatable, Sendable {
    /// Another token has this name.
    case nameTaken(String)
}

/// The REST API's named tokens (issue P8): the bootstrap admin token lives outside (environment or the data
/// directory's file); these are the ones admins hand out. `AppDatabase` implements it.
public protocol APITokenStore: Sendable {
    /// Every token, sorted by name.
    func apiTokens() async throws -> [StoredAPIToken]

    /// The token whose SHA-256 is `tokenHash`, or `nil`.
    func apiToken(hash tokenHash: String) async throws -> StoredAPIToken?

    /// Stores a new token; throws `APITokenStoreError.nameTaken` (and changes nothing) when the name is in use.
    func insertAPIToken(_ token: StoredAPIToken) async throws

    /// Deletes the token named `name`; `false` when there is none.
    @discardableResult
    func deleteAPIToken(name: String) async throws -> Bool

    /// Records that the token named `name` was presented at `instant` (nothing when it is gone).
    func recordAPITokenUse(name: String, at instant: Date) async throws
}
