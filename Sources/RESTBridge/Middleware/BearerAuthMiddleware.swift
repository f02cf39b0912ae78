import Hummingbird

/// Requires `Authorization: Bearer <token>` (RFC 6750 §2.1) on every request it wraps; else 401 problem+json.
///
/// The token is compared in constant time with respect to its content, so response timing does not reveal how
/// many leading characters of a guess were right.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The expected token's bytes.
    private let token: [UInt8]

    /// Creates the middleware for `token` (must not be empty).
    init(token: String) {
        precondition(!token.isEmpty, "an empty API token would accept 'Bearer '")
        self.token = Array(token.utf8)
    }

    /// Passes the request on when it carries the right token; throws `Problem.unauthorized` otherwise.
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let presented = Self.bearerToken(in: request.headers[.authorization]) else {
            throw Problem.unauthorized(tokenPresent: false)
        }
        guard Self.constantTimeEquals(Array(presented.utf8), token) else {
            throw Problem.unauthorized(tokenPresent: true)
        }
        return try await next(request, context)
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
