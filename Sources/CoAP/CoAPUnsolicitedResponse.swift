/// A response that matched no pending request: usually a notification of an observation the upper layer keeps.
public struct CoAPUnsolicitedResponse: Sendable {
    /// The session it arrived on.
    public var session: CoAPSessionID
    /// The peer's address (`ip:port`).
    public var peerAddress: String
    /// Its token, which names the observation.
    public var token: [UInt8]
    /// The response (code, Observe, Content-Format, payload).
    public var response: CoAPResponse
    /// The PSK identity of the DTLS session it arrived on, `nil` when it came as plain CoAP. A token alone proves
    /// nothing (it travels in the clear on plain CoAP); the upper layer checks who sent it.
    public var pskIdentity: [UInt8]?

    /// Creates a value.
    public init(
        session: CoAPSessionID, peerAddress: String, token: [UInt8], response: CoAPResponse, pskIdentity: [UInt8]? = nil
    ) {
        self.session = session
        self.peerAddress = peerAddress
        self.token = token
        self.response = response
        self.pskIdentity = pskIdentity
    }

    /// Whether it came over DTLS.
    public var isSecure: Bool { pskIdentity != nil }
}
