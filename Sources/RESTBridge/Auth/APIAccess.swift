import Hummingbird
import HummingbirdAuth

/// Which role a call needs, from its method and path alone (so unknown paths and 405s follow the same rule):
///
/// | call | role |
/// |---|---|
/// | `GET /metrics` | `metrics` |
/// | anything under `/api/v1/tokens` or `/api/v1/security` | `admin` |
/// | any other `GET` or `HEAD` (the live stream and the WebSocket upgrade too) | `reader` |
/// | any other method | `operator` |
///
/// `/healthz` and the firmware download links (`/fw/<token>`) are mounted before authentication and need none.
public enum APIAccess {
    /// The paths only admins reach (their own sub-paths included).
    static let adminPrefixes = ["/api/v1/tokens", "/api/v1/security"]

    /// The least role that may make the call.
    public static func requiredRole(method: HTTPRequest.Method, path: String) -> APIRole {
        if adminPrefixes.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) { return .admin }
        let reading = method == .get || method == .head
        if reading && path == "/metrics" { return .metrics }
        return reading ? .reader : .operator
    }

    /// The policy `AuthorizationPolicyMiddleware` applies: allowed when the identity's role includes the one
    /// required, else a 403 problem naming both (`ProblemMiddleware` logs it).
    struct Policy: AuthorizationPolicy {
        func isAuthorized(identity: APIIdentity, request: Request) async throws -> Bool {
            let required = requiredRole(method: request.method, path: request.uri.path)
            guard identity.roles.contains(required) else {
                throw Problem.forbidden(token: identity.name, role: identity.role, required: required)
            }
            return true
        }
    }

    /// The middleware that applies `Policy` to every route added after it.
    static func middleware<Context: AuthRequestContext<APIIdentity>>(
        context: Context.Type = Context.self
    ) -> AuthorizationPolicyMiddleware<Policy, Context, HTTPError> {
        AuthorizationPolicyMiddleware(Policy(), context: context)
    }
}
