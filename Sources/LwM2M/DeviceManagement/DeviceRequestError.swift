import CoAP

/// Why a `DeviceRequest` did not succeed.
public struct DeviceRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; the REST API maps each to an HTTP status.
    public enum Kind: Sendable, Equatable {
        /// No endpoint of that name has ever registered.
        case unknownEndpoint
        /// The endpoint exists but is not registered now (de-registered, expired), or no session to it is known.
        case offline
        /// The request cannot be built: a path of the wrong depth, a node the format cannot carry, a bad value.
        case invalidRequest
        /// The client answered with an error code (4.xx/5.xx); `coapCode` says which.
        case deviceError
        /// No answer in time.
        case timeout
        /// The client answered but its payload could not be decoded.
        case invalidResponse
        /// The client could not be reached (reset, ICMP error, retransmissions exhausted).
        case unreachable
        /// A limit of the server refused the request (`--max-observations-per-endpoint`); nothing was sent.
        case limitExceeded
    }

    /// The kind of failure.
    public let kind: Kind
    /// What went wrong, for logs and problem details.
    public let message: String
    /// The client's CoAP response code, for `.deviceError`.
    public let coapCode: CoAPCode?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, coapCode: CoAPCode? = nil) {
        self.kind = kind
        self.message = message
        self.coapCode = coapCode
    }

    public var description: String {
        if let coapCode { return "\(kind) \(coapCode): \(message)" }
        return "\(kind): \(message)"
    }
}

/// Sends device-management operations to registered clients; the LwM2M server implements it and the REST
/// API depends only on this protocol (tests substitute their own).
public protocol DeviceManagement: Sendable {
    /// Sends `request` to the client registered as `endpoint` and waits for its answer.
    ///
    /// - Parameters:
    ///   - format: the content format to use for payloads; `nil` negotiates one from the registration
    ///     (LwM2M 1.0 → TLV; 1.1/1.2 → SenML CBOR if announced, else SenML JSON, else TLV).
    ///   - timeout: how long to wait for the answer.
    func send(_ request: DeviceRequest, to endpoint: String, format: ContentFormat?, timeout: Duration)
        async throws(DeviceRequestError) -> DeviceResponse

    /// Sends one block of a block-wise Write of an opaque value (Content-Format 42, Block1 and Size1 options) to
    /// `endpoint` and returns the device's answer whatever its code; a missing answer throws.
    func writeBlock(_ request: BlockWriteRequest, to endpoint: String, timeout: Duration)
        async throws(DeviceRequestError) -> BlockWriteAnswer

    /// The object definitions used to type values.
    var objectModel: ObjectModelRegistry { get }
}
