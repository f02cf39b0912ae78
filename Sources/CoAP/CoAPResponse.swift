/// A CoAP response as the upper layers see it (RFC 7252 §5.9).
public struct CoAPResponse: Sendable, Equatable {
    /// The response code.
    public var code: CoAPCode
    /// The Content-Format option, when the payload has one.
    public var contentFormat: UInt16?
    /// The payload (whole body; block-wise handled by libcoap).
    public var payload: [UInt8]
    /// Location-Path segments (RFC 7252 §5.10.7), e.g. `["rd", "abc"]` for a registration.
    public var locationPath: [String]
    /// The Observe option of a notification (RFC 7641 §2), when present.
    public var observe: UInt32?
    /// The Max-Age option in seconds, when present.
    public var maxAge: UInt32?
    /// A large body served from a mapped file instead of `payload`: the one Block2 block the request asks for,
    /// with the body's ETag and Size2 (see `CoAPMappedBody`).
    public var mappedBody: CoAPMappedBody?
    /// The Block1 option of a received response (RFC 7959 §2.3: the block acted on; in a 4.13, the size the
    /// server wants, §2.9.3), when present. Read on responses `CoAPEndpoint.send` returns; ignored when answering.
    public var block1: CoAPBlock?
    /// The Block2 option of a received response (RFC 7959 §2.4: which block `payload` is, and whether more
    /// follow), when present. Read on responses `CoAPEndpoint.send` returns; ignored when answering.
    public var block2: CoAPBlock?
    /// The ETag option of a received response (RFC 7252 §5.10.6), when present; the same on every block of one
    /// representation (RFC 7959 §2.4).
    public var etag: [UInt8]?
    /// The Size1 option of a received response (RFC 7959 §4: in a 4.13, the largest body the server takes).
    public var size1: Int?
    /// The Size2 option of a received response (RFC 7959 §4: the size of the whole body), when present.
    public var size2: Int?

    /// Creates a response.
    public init(
        code: CoAPCode, contentFormat: UInt16? = nil, payload: [UInt8] = [], locationPath: [String] = [],
        observe: UInt32? = nil, maxAge: UInt32? = nil, mappedBody: CoAPMappedBody? = nil
    ) {
        self.code = code
        self.contentFormat = contentFormat
        self.payload = payload
        self.locationPath = locationPath
        self.observe = observe
        self.maxAge = maxAge
        self.mappedBody = mappedBody
    }

    /// A response with a diagnostic payload in plain text (RFC 7252 §5.5.2), for 4.xx/5.xx answers.
    public static func error(_ code: CoAPCode, _ diagnostic: String) -> CoAPResponse {
        CoAPResponse(code: code, payload: Array(diagnostic.utf8))
    }

    /// The payload decoded as UTF-8, for diagnostics and logs.
    public var payloadText: String { String(decoding: payload, as: UTF8.self) }
}
