import Hummingbird

extension Problem {
    /// 404 for an endpoint name without a PSK credential.
    static func securityNotFound(_ endpoint: String) -> Problem {
        Problem(
            type: typeBase + "security-not-found", title: "Security credential not found", status: .notFound,
            detail: "Endpoint '\(endpoint)' has no PSK credential.")
    }

    /// 409 for a PSK identity another endpoint already uses (a handshake picks the key by identity).
    static func identityTaken(_ identity: String, owner: String) -> Problem {
        Problem(
            type: typeBase + "identity-taken", title: "PSK identity taken", status: .conflict,
            detail: "The PSK identity '\(identity)' belongs to endpoint '\(owner)'; nothing was changed.")
    }
}
