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
    /// Who the peer of the DTLS session it arrived on proved to be, `nil` when it came as plain CoAP. A token alone
    /// proves nothing (it travels in the clear on plain CoAP); the upper layer checks who sent it.
    public var peerIdentity: CoAPPeerIdentity?

    /// Creates a value.
    public init(
        session: CoAPSessionID, peerAddress: String, token: [UInt8], response: CoAPResponse,
        peerIdentity: CoAPPeerIdentity? = nil
    ) {
        self.session = session
        self.peerAddress = peerAddress
        self.token = token
        self.response = response
        self.peerIdentity = peerIdentity
    }

    /// Creates a value that came over a PSK session with `pskIdentity` (plain CoAP when `nil`).
    public init(
        session: CoAPSessionID, peerAddress: String, token: [UInt8], response: CoAPResponse, pskIdentity: [UInt8]?
    ) {
        self.init(session: session, peerAddress: peerAddress, token: token, response: response,
                  peerIdentity: pskIdentity.map { .preSharedKey($0) })
    }

    /// The PSK identity, for one that came over a PSK session.
    public var pskIdentity: [UInt8]? { peerIdentity?.pskIdentity }

    /// Whether it came over DTLS.
    public var isSecure: Bool { peerIdentity != nil }
}
