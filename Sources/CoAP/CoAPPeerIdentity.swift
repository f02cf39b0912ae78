/// Who a DTLS peer proved to be in its handshake (RFC 7252 §9.1.3): the PSK identity it presented, its raw public
/// key (RFC 7250) or the name in its certificate. `nil` where an identity is optional means plain CoAP.
public enum CoAPPeerIdentity: Sendable, Hashable, CustomStringConvertible {
    /// A pre-shared key handshake (RFC 4279): the PSK identity the peer presented.
    case preSharedKey([UInt8])
    /// A raw public key handshake (RFC 7250): the peer's key as a DER SubjectPublicKeyInfo.
    case rawPublicKey([UInt8])
    /// An X.509 handshake whose certificate chain the TLS layer validated against the trusted CAs: the subject
    /// alternative name of the peer's certificate, or when it has none the leftmost common name, and the
    /// certificate itself (DER).
    case certificate(name: String, der: [UInt8])

    /// The PSK identity, for a pre-shared key handshake.
    public var pskIdentity: [UInt8]? {
        if case .preSharedKey(let identity) = self { return identity }
        return nil
    }

    /// `psk:<identity>`, `rpk:<first bytes of the key>` or `x509:<name>`, for logs.
    public var description: String {
        switch self {
        case .preSharedKey(let identity): "psk:\(String(decoding: identity, as: UTF8.self))"
        case .rawPublicKey(let key): "rpk:\(key.suffix(8).hexString)"
        case .certificate(let name, _): "x509:\(name)"
        }
    }

    /// Whether `der` is a SubjectPublicKeyInfo (`SEQUENCE { AlgorithmIdentifier, BIT STRING }`) rather than a
    /// certificate (`SEQUENCE { TBSCertificate, AlgorithmIdentifier, BIT STRING }`): the second element of the
    /// outer SEQUENCE is a BIT STRING only in the first. libcoap names both kinds of peer through the same callback.
    static func isSubjectPublicKeyInfo(_ der: [UInt8]) -> Bool {
        guard der.first == 0x30, let outer = headerLength(der, at: 0), outer.header + outer.length == der.count else {
            return false
        }
        let first = outer.header
        guard first < der.count, let inner = headerLength(der, at: first) else { return false }
        let second = first + inner.header + inner.length
        return second < der.count && der[second] == 0x03
    }

    /// The length of the DER header at `offset` and of its content.
    private static func headerLength(_ der: [UInt8], at offset: Int) -> (header: Int, length: Int)? {
        guard offset + 1 < der.count else { return nil }
        let first = Int(der[offset + 1])
        if first < 0x80 { return (2, first) }
        let count = first & 0x7f
        guard (1...4).contains(count), offset + 1 + count < der.count else { return nil }
        var length = 0
        for index in 0..<count { length = length << 8 | Int(der[offset + 2 + index]) }
        return (2 + count, length)
    }
}
