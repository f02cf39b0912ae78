import Crypto
import Foundation
import Hummingbird
import HummingbirdAuth
import ResourceModel

/// Finds who a request comes from by its `Authorization: Bearer <token>` (RFC 6750 §2.1), as hummingbird-auth's
/// `AuthenticatorMiddleware`: the bootstrap admin token and the `--metrics-token` are compared in constant time;
/// any other token is looked up by its SHA-256 in the token store (only hashes are stored). A missing, unknown or
/// expired token is a 401 problem, so no route behind this middleware runs unauthenticated. With no admin token
/// (`--no-auth`) every request is `APIIdentity.unauthenticated`, an admin.
///
/// The scheme is matched case-insensitively (RFC 7235 §2.1), which hummingbird-auth's `bearer` does not.
struct APITokenAuthenticator<Context: AuthRequestContext<APIIdentity>>: AuthenticatorMiddleware {
    /// The bootstrap admin token's bytes; `nil` turns authentication off.
    private let adminToken: [UInt8]?
    /// The scrape-only token's bytes, when there is one.
    private let metricsToken: [UInt8]?
    /// The named tokens; `nil` knows only the two above.
    private let store: (any APITokenStore)?
    /// How stale a token's recorded last use may get before a request records it again.
    static var useRecordingInterval: TimeInterval { 60 }

    /// Creates the authenticator (an empty admin token would accept `Bearer `, so it must not be empty).
    init(adminToken: String?, metricsToken: String? = nil, store: (any APITokenStore)?) {
        precondition(adminToken?.isEmpty != true, "an empty API token would accept 'Bearer '")
        precondition(metricsToken?.isEmpty != true, "an empty metrics token would accept 'Bearer '")
        self.adminToken = adminToken.map { Array($0.utf8) }
        self.metricsToken = metricsToken.map { Array($0.utf8) }
        self.store = store
    }

    func authenticate(request: Request, context: Context) async throws -> APIIdentity? {
        guard let adminToken else { return .unauthenticated }
        guard let presented = Self.bearerToken(in: request.headers[.authorization]) else {
            throw Problem.unauthorized(tokenPresent: false)
        }
        let bytes = Array(presented.utf8)
        if Self.constantTimeEquals(bytes, adminToken) { return APIIdentity(name: APIIdentity.bootstrapName, role: .admin) }
        if let metricsToken, Self.constantTimeEquals(bytes, metricsToken) {
            return APIIdentity(name: APIIdentity.metricsName, role: .metrics)
        }
        guard let store, let stored = try await store.apiToken(hash: Self.hash(presented)),
              let role = APIRole(rawValue: stored.role)
        else {
            throw Problem.unauthorized(tokenPresent: true)
        }
        let now = Date()
        if let expiresAt = stored.expiresAt, expiresAt <= now {
            throw Problem.unauthorized(tokenPresent: true, detail: "The bearer token '\(stored.name)' has expired.")
        }
        if stored.lastUsedAt.map({ now.timeIntervalSince($0) >= Self.useRecordingInterval }) ?? true {
            try? await store.recordAPITokenUse(name: stored.name, at: now)
        }
        return APIIdentity(name: stored.name, role: role)
    }

    /// The SHA-256 of a token's UTF-8 bytes as 64 lowercase hex digits: what the store keeps.
    static func hash(_ token: some StringProtocol) -> String {
        SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The credentials of a `Bearer` authorization header (scheme case-insensitive), or `nil`.
    static func bearerToken(in header: String?) -> Substring? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let credentials = parts[1].drop { $0 == " " }
        return credentials.isEmpty ? nil : credentials
    }

    /// Whether `presented` equals `expected`, in time depending only on `expected.count`.
    static func constantTimeEquals(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt(bitPattern: presented.count ^ expected.count)
        for index in expected.indices {
            let byte = index < presented.count ? presented[index] : 0
            difference |= UInt(byte ^ expected[index])
        }
        return difference == 0
    }
}
