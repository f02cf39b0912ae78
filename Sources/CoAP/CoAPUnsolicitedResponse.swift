/// A response that matched no pending request: usually a notification (RFC 7641 §3.2).
public struct CoAPUnsolicitedResponse: Sendable {
    /// The session it arrived on.
    public var session: CoAPSessionID
    /// The peer's address (`ip:port`).
    public var peerAddress: String
    /// Its token, which names the observation.
    public var token: [UInt8]
    /// The response (code, Observe, Content-Format, payload).
    public var response: CoAPResponse

    /// Creates a value.
    public init(session: CoAPSessionID, peerAddress: String, token: [UInt8], response: CoAPResponse) {
        self.session = session
        self.peerAddress = peerAddress
        self.token = token
        self.response = response
    }
}
