import Hummingbird
import LwM2M

extension Problem {
    /// 404 for an endpoint name without a DTLS credential.
    static func securityNotFound(_ endpoint: String) -> Problem {
        Problem(
            type: typeBase + "security-not-found", title: "Security credential not found", status: .notFound,
            detail: "Endpoint '\(endpoint)' has no DTLS credential.")
    }

    /// 409 for a PSK identity another endpoint already uses (a handshake picks the key by identity).
    static func identityTaken(_ identity: String, owner: String) -> Problem {
        Problem(
            type: typeBase + "identity-taken", title: "PSK identity taken", status: .conflict,
            detail: "The PSK identity '\(identity)' belongs to endpoint '\(owner)'; nothing was changed.")
    }

    /// 409 for a raw public key or certificate subject another endpoint already has.
    static func credentialTaken(_ error: PKICredentialError) -> Problem {
        switch error {
        case .publicKeyTaken(let owner):
            Problem(
                type: typeBase + "public-key-taken", title: "Public key taken", status: .conflict,
                detail: "The public key belongs to endpoint '\(owner)'; nothing was changed.")
        case .subjectTaken(let subject, let owner):
            Problem(
                type: typeBase + "subject-taken", title: "Certificate subject taken", status: .conflict,
                detail: "The certificate subject '\(subject)' belongs to endpoint '\(owner)'; nothing was changed.")
        }
    }
}
