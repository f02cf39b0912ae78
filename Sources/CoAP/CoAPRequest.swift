/// A CoAP request as the upper layers see it, outgoing or incoming (RFC 7252 §5.8).
public struct CoAPRequest: Sendable, Equatable {
    /// The method.
    public var method: CoAPMethod
    /// The Uri-Path segments, unescaped (`["rd", "abc"]`).
    public var uriPath: [String]
    /// The Uri-Query items (`["ep=dev1", "lt=300"]`).
    public var uriQuery: [String]
    /// The Content-Format option, when present.
    public var contentFormat: UInt16?
    /// The Accept option, when present.
    public var accept: UInt16?
    /// The Observe option (RFC 7641 §2), when present.
    public var observe: UInt32?
    /// The payload (the whole body: block-wise transfers are reassembled by libcoap).
    public var payload: [UInt8]
    /// Whether the request is (to be) sent confirmable.
    public var confirmable: Bool

    /// Creates a request.
    public init(
        method: CoAPMethod, uriPath: [String] = [], uriQuery: [String] = [], contentFormat: UInt16? = nil,
        accept: UInt16? = nil, observe: UInt32? = nil, payload: [UInt8] = [], confirmable: Bool = true
    ) {
        self.method = method
        self.uriPath = uriPath
        self.uriQuery = uriQuery
        self.contentFormat = contentFormat
        self.accept = accept
        self.observe = observe
        self.payload = payload
        self.confirmable = confirmable
    }

    /// The path as a string with a leading slash (`/rd/abc`).
    public var path: String { "/" + uriPath.joined(separator: "/") }

    /// The Uri-Query items split at the first `=` (a key without `=` maps to `nil`), keeping order.
    public var queryItems: [(key: String, value: String?)] {
        uriQuery.map { item in
            guard let eq = item.firstIndex(of: "=") else { return (item, nil) }
            return (String(item[..<eq]), String(item[item.index(after: eq)...]))
        }
    }
}

/// A request that arrived from a peer, with where it came from.
public struct CoAPInboundRequest: Sendable {
    /// The request itself.
    public var request: CoAPRequest
    /// The session it arrived on; answer-path requests to the peer go over it.
    public var session: CoAPSessionID
    /// The peer's transport address (`ip:port`, IPv6 in brackets).
    public var peerAddress: String
    /// The request token.
    public var token: [UInt8]
    /// The PSK identity the peer authenticated with, for a request that came over DTLS; `nil` over plain UDP.
    public var pskIdentity: [UInt8]?

    /// Creates an inbound request.
    public init(request: CoAPRequest, session: CoAPSessionID, peerAddress: String, token: [UInt8],
                pskIdentity: [UInt8]? = nil) {
        self.request = request
        self.session = session
        self.peerAddress = peerAddress
        self.token = token
        self.pskIdentity = pskIdentity
    }

    /// Whether the request came over DTLS.
    public var isSecure: Bool { pskIdentity != nil }
}
