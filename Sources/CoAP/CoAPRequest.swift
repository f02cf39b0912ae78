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
    /// An explicit Block1 option (RFC 7959 §2.5) for a request sent by `CoAPEndpoint.send`: with it (or with
    /// `block2`) the request goes out as exactly one PDU with `payload` as that block, and the response comes
    /// back as one PDU with its own block options (see `CoAPEndpoint.Configuration.libcoapBlockwise`).
    /// Not filled in on inbound requests (libcoap reassembles those).
    public var block1: CoAPBlock?
    /// An explicit Block2 option (RFC 7959 §2.4): asks for one block of the response (a late negotiation of the
    /// size, or a resumption from that block). Sent as-is, like `block1`. On an inbound request, the Block2 option
    /// the client sent (answered by a `CoAPResponse.mappedBody`; other answers are whole bodies).
    public var block2: CoAPBlock?
    /// The Size1 option (RFC 7959 §4): the whole request body's size, sent with a first Block1 block.
    public var size1: Int?
    /// The Size2 option (RFC 7959 §4); 0 asks the server to tell the size of the whole response body.
    public var size2: Int?
    /// The ETag option of the request (RFC 7252 §5.10.6), when present.
    public var etag: [UInt8]?
    /// The If-Match option (RFC 7252 §5.10.8.1), when present: act only if the resource has this ETag.
    public var ifMatch: [UInt8]?

    /// Creates a request.
    public init(
        method: CoAPMethod, uriPath: [String] = [], uriQuery: [String] = [], contentFormat: UInt16? = nil,
        accept: UInt16? = nil, observe: UInt32? = nil, payload: [UInt8] = [], confirmable: Bool = true,
        block1: CoAPBlock? = nil, block2: CoAPBlock? = nil, size1: Int? = nil, size2: Int? = nil,
        etag: [UInt8]? = nil, ifMatch: [UInt8]? = nil
    ) {
        self.block1 = block1
        self.block2 = block2
        self.size1 = size1
        self.size2 = size2
        self.etag = etag
        self.ifMatch = ifMatch
        self.method = method
        self.uriPath = uriPath
        self.uriQuery = uriQuery
        self.contentFormat = contentFormat
        self.accept = accept
        self.observe = observe
        self.payload = payload
        self.confirmable = confirmable
    }

    /// Whether the request carries explicit block options, i.e. is one block sent and answered as is.
    public var hasExplicitBlocks: Bool { block1 != nil || block2 != nil }

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
    /// Who the peer proved to be in its DTLS handshake; `nil` for a request that came as plain CoAP.
    public var peerIdentity: CoAPPeerIdentity?

    /// Creates an inbound request.
    public init(request: CoAPRequest, session: CoAPSessionID, peerAddress: String, token: [UInt8],
                peerIdentity: CoAPPeerIdentity? = nil) {
        self.request = request
        self.session = session
        self.peerAddress = peerAddress
        self.token = token
        self.peerIdentity = peerIdentity
    }

    /// Creates an inbound request that came over a PSK session with `pskIdentity` (plain CoAP when `nil`).
    public init(request: CoAPRequest, session: CoAPSessionID, peerAddress: String, token: [UInt8],
                pskIdentity: [UInt8]?) {
        self.init(request: request, session: session, peerAddress: peerAddress, token: token,
                  peerIdentity: pskIdentity.map { .preSharedKey($0) })
    }

    /// The PSK identity, for a request that came over a PSK session.
    public var pskIdentity: [UInt8]? { peerIdentity?.pskIdentity }

    /// Whether the request came over DTLS.
    public var isSecure: Bool { peerIdentity != nil }
}
