import Hummingbird
import Logging

extension Problem {
    /// 403 for a token whose role does not allow the call (RFC 6750 §3.1 `insufficient_scope`).
    static func forbidden(token: String, role: APIRole, required: APIRole) -> Problem {
        Problem(
            type: typeBase + "forbidden", title: "Forbidden", status: .forbidden,
            detail: "This call needs the role '\(required.rawValue)'; the token '\(token)' has the role '\(role.rawValue)'.",
            headers: [.wwwAuthenticate: #"Bearer error="insufficient_scope""#])
    }

    /// 404 for a token name no token has.
    static func tokenNotFound(_ name: String) -> Problem {
        Problem(
            type: typeBase + "token-not-found", title: "Token not found", status: .notFound,
            detail: "No API token is named '\(name)'.")
    }

    /// 409 for a token name already in use.
    static func tokenNameTaken(_ name: String) -> Problem {
        Problem(
            type: typeBase + "token-name-taken", title: "Token name taken", status: .conflict,
            detail: "An API token named '\(name)' exists; delete it first or choose another name.")
    }
}

extension Problem {
    /// Logs a 401 or 403 as a security line: who was refused what (the detail names the token and roles, never a
    /// secret).
    func logRefusal(_ request: Request, logger: Logger) {
        logger.notice(status == .forbidden ? "API call refused: role" : "API call refused: token", metadata: [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(status.code)",
            "detail": "\(detail ?? "-")",
        ])
    }
}
