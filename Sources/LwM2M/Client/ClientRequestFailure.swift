import CoAP

/// Why the client tree refused a request: the CoAP error code and a short diagnostic for the payload
/// (RFC 7252 §5.5.2; the codes of LwM2M 1.1 Transport §6.4, Table "Response Codes: Device Management").
struct ClientRequestFailure: Error, Sendable, Equatable {
    /// The 4.xx/5.xx code.
    let code: CoAPCode
    /// What was wrong, for the diagnostic payload.
    let message: String

    init(_ code: CoAPCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// 4.00 Bad Request.
    static func badRequest(_ message: String) -> ClientRequestFailure { .init(.badRequest, message) }
    /// 4.01 Unauthorized: the object is not accessible to this server.
    static func unauthorized(_ path: LwM2MPath) -> ClientRequestFailure {
        .init(.unauthorized, "\(path) is not accessible to a device management server")
    }
    /// 4.04 Not Found.
    static func notFound(_ path: LwM2MPath) -> ClientRequestFailure { .init(.notFound, "\(path) not found") }
    /// 4.05 Method Not Allowed.
    static func notAllowed(_ message: String) -> ClientRequestFailure { .init(.methodNotAllowed, message) }

    /// A payload the codecs rejected: 4.15 when the format cannot carry the node, 4.00 for a bad payload.
    static func decoding(_ error: LwM2MCodecError, format: ContentFormat) -> ClientRequestFailure {
        switch error.kind {
        case .unsupportedContentFormat, .unsupportedNode:
            return .init(.unsupportedContentFormat, "\(format): \(error.message)")
        case .malformed, .typeMismatch, .invalidValue, .duplicateID, .pathMismatch, .invalidPath:
            return .init(.badRequest, error.description)
        }
    }

    /// A node the codecs could not encode: 4.06 when the format cannot carry it, 5.00 otherwise.
    static func encoding(_ error: LwM2MCodecError, format: ContentFormat) -> ClientRequestFailure {
        switch error.kind {
        case .unsupportedContentFormat, .unsupportedNode, .typeMismatch:
            return .init(.notAcceptable, "\(format): \(error.message)")
        case .malformed, .invalidValue, .duplicateID, .pathMismatch, .invalidPath:
            return .init(.internalServerError, error.description)
        }
    }
}
