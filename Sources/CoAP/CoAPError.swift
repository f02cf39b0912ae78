/// An error of the CoAP module: binding, sending, or a request that got no usable answer.
public struct CoAPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The endpoint is not running (not started, or stopped).
        case notRunning
        /// An address could not be resolved or bound.
        case bindFailed
        /// The address given could not be parsed or resolved.
        case invalidAddress
        /// The session is unknown or was closed by libcoap.
        case sessionGone
        /// libcoap refused to build or send the message.
        case sendFailed
        /// No response within the caller's timeout.
        case timeout
        /// The peer answered with a Reset message.
        case reset
        /// libcoap gave up after its retransmissions (RFC 7252 §4.2).
        case tooManyRetries
        /// The peer is unreachable (ICMP error, DTLS failure).
        case unreachable
        /// The request was cancelled by the caller.
        case cancelled
    }

    /// What went wrong.
    public let kind: Kind
    /// A human-readable detail for logs.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "CoAP \(kind): \(message)" }
}
