import Crypto
import Foundation
import LwM2M

/// The body of `PUT /api/v1/security/{endpoint}`, by `mode` (LwM2M Security object modes 0–2):
///
/// - `{"mode":"psk","identity"?,"key"}` (also without `mode`, the original form): see `PSKCredentialBody`;
/// - `{"mode":"rpk","publicKey"}`: the device's raw public key, base64 of its DER SubjectPublicKeyInfo or the PEM
///   `PUBLIC KEY` text (EC P-256, P-384 or P-521);
/// - `{"mode":"x509","subject"?}`: a certificate chaining to the trusted CAs (`--tls-ca`) whose subject alternative
///   name (or common name) is `subject`, by default the endpoint name.
///
/// Every error is a 400 `invalid-body` problem with the member's pointer.
enum SecurityCredentialBody: Equatable {
    /// A pre-shared key.
    case psk(PSKCredentialBody)
    /// A raw public key credential or a certificate subject.
    case pki(PKICredential.Kind)

    /// The modes, as the body names them.
    static let modes = ["psk", "rpk", "x509"]
    /// The length of a certificate subject taken, in Unicode code points as JSON Schema's `maxLength` counts them
    /// (an X.509 name component is at most 64 characters; a DNS name in a subject alternative name 253).
    static let subjectLength = 1...255

    /// Reads `body` for `endpoint`.
    init(_ body: RequestJSON, endpoint: String) throws(Problem) {
        let mode: String
        switch try BodyFields.members(body, known: ["mode", "identity", "key", "publicKey", "subject"])["mode"] {
        case nil: mode = "psk"
        case .string(let text)? where Self.modes.contains(text): mode = text
        case let other?:
            throw Self.invalid("/mode", "expected one of \(Self.modes.joined(separator: ", ")), got \(Self.shown(other))")
        }
        switch mode {
        case "rpk":
            let members = try BodyFields.members(body, known: ["mode", "publicKey"])
            self = .pki(.rawPublicKey(try Self.publicKey(members["publicKey"])))
        case "x509":
            let members = try BodyFields.members(body, known: ["mode", "subject"])
            self = .pki(.certificate(subject: try Self.subject(members["subject"], endpoint: endpoint)))
        default:
            let members = try BodyFields.members(body, known: PSKCredentialBody.members.union(["mode"]))
            self = .psk(try PSKCredentialBody(members, endpoint: endpoint))
        }
    }

    /// The DER SubjectPublicKeyInfo of an EC public key given as base64 DER or PEM, re-encoded canonically (as the
    /// TLS layer reports a peer's key: uncompressed point, named curve).
    static func publicKey(_ value: RequestJSON?) throws(Problem) -> [UInt8] {
        let expected = "base64 of a DER SubjectPublicKeyInfo, or a PEM PUBLIC KEY, of an EC P-256, P-384 or P-521 key"
        guard case .string(let text)? = value else {
            throw invalid("/publicKey", value.map { "expected \(expected), got \(shown($0))" } ?? "missing; expected \(expected)")
        }
        if let key = canonicalPublicKey(text) { return key }
        throw invalid("/publicKey", "not \(expected)")
    }

    /// `text` as a canonical DER SubjectPublicKeyInfo, or `nil` when it is no EC public key Crypto can read.
    static func canonicalPublicKey(_ text: String) -> [UInt8]? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("-----BEGIN") {
            if let key = try? P256.Signing.PublicKey(pemRepresentation: trimmed) { return Array(key.derRepresentation) }
            if let key = try? P384.Signing.PublicKey(pemRepresentation: trimmed) { return Array(key.derRepresentation) }
            if let key = try? P521.Signing.PublicKey(pemRepresentation: trimmed) { return Array(key.derRepresentation) }
            return nil
        }
        guard let der = Data(base64Encoded: trimmed) else { return nil }
        if let key = try? P256.Signing.PublicKey(derRepresentation: der) { return Array(key.derRepresentation) }
        if let key = try? P384.Signing.PublicKey(derRepresentation: der) { return Array(key.derRepresentation) }
        if let key = try? P521.Signing.PublicKey(derRepresentation: der) { return Array(key.derRepresentation) }
        return nil
    }

    /// The certificate subject: `value`, or the endpoint name when absent.
    static func subject(_ value: RequestJSON?, endpoint: String) throws(Problem) -> String {
        let subject: String
        switch value {
        case nil: subject = endpoint
        case .string(let text)?: subject = text
        case let other?: throw invalid("/subject", "expected a string, got \(shown(other))")
        }
        guard subjectLength.contains(subject.unicodeScalars.count) else {
            throw invalid("/subject", "expected \(subjectLength.lowerBound) to \(subjectLength.upperBound) characters")
        }
        if subject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw invalid("/subject", "control characters are not allowed")
        }
        return subject
    }

    private static func shown(_ value: RequestJSON) -> String {
        if case .string(let text) = value { return "'\(text.prefix(40))'" }
        return value.typeDescription
    }

    private static func invalid(_ pointer: String, _ message: String) -> Problem {
        Problem.invalidBody(NodeJSONError(pointer: pointer, message))
    }
}
