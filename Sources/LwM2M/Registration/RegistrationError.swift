import CoAP

/// Why a Register, Update or De-register request was refused (LwM2M 1.1 Core §6.2, Transport §6.2).
public struct RegistrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of refusal, which decides the CoAP response code.
    public enum Kind: Sendable, Equatable {
        /// A parameter or the payload is malformed: 4.00 Bad Request.
        case badRequest
        /// The announced LwM2M version is not supported: 4.12 Precondition Failed (LwM2M 1.1 Core §6.2.1).
        case unsupportedVersion
        /// The registration id is unknown (expired, de-registered, or never existed): 4.04 Not Found.
        case unknownRegistration
        /// The content format of the payload is not link format: 4.15 Unsupported Content-Format.
        case unsupportedContentFormat
        /// The client's security does not allow it: a PSK identity registering under another endpoint's name,
        /// or an endpoint with credentials talking over plain CoAP (4.03).
        case forbidden
        /// The payload or its number of links exceeds the server's limits: 4.13 Request Entity Too Large
        /// (RFC 7252 §5.9.2.9).
        case tooLarge
        /// The server holds as many registrations as it may (`--max-endpoints`): 5.03 Service Unavailable.
        case serviceUnavailable
    }

    /// The kind of refusal.
    public let kind: Kind
    /// What was wrong, sent back as the diagnostic payload and logged.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The CoAP response code for this refusal.
    public var code: CoAPCode {
        switch kind {
        case .badRequest: .badRequest
        case .unsupportedVersion: .preconditionFailed
        case .unknownRegistration: .notFound
        case .unsupportedContentFormat: .unsupportedContentFormat
        case .forbidden: .forbidden
        case .tooLarge: .requestEntityTooLarge
        case .serviceUnavailable: .serviceUnavailable
        }
    }

    public var description: String { "\(code) \(message)" }
}
