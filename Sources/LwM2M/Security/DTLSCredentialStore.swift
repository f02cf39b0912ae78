import CoAP
import Synchronization

/// The pre-shared key of one endpoint (LwM2M Security object, mode 0 "Pre-Shared Key", and the server's side
/// of it): the DTLS PSK identity the client presents and the key.
public struct PSKCredential: Sendable, Hashable {
    /// The endpoint name the credential belongs to: a client presenting `identity` may register only as it.
    public var endpoint: String
    /// The PSK identity, as UTF-8 text.
    public var identity: String
    /// The key (LwM2M clients commonly use 16 bytes).
    public var key: [UInt8]

    /// Creates a credential.
    public init(endpoint: String, identity: String, key: [UInt8]) {
        self.endpoint = endpoint
        self.identity = identity
        self.key = key
    }
}

/// Why a credential was refused.
public enum PSKCredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another endpoint already uses this identity (identities pick the key, so they must be unique).
    case identityTaken(identity: String, endpoint: String)

    public var description: String {
        switch self {
        case .identityTaken(let identity, let endpoint):
            "the PSK identity '\(identity)' belongs to endpoint '\(endpoint)'"
        }
    }
}

/// The raw public key or certificate credential of one endpoint (LwM2M Security object modes 1 "Raw Public Key"
/// and 2 "Certificate"; RFC 7250, RFC 5280).
public struct PKICredential: Sendable, Hashable {
    /// What the endpoint's device presents.
    public enum Kind: Sendable, Hashable {
        /// Its raw public key, a DER SubjectPublicKeyInfo: only a handshake with this key may act as the endpoint.
        case rawPublicKey([UInt8])
        /// A certificate chaining to a trusted CA whose subject alternative name (or common name) is `subject`.
        case certificate(subject: String)
    }

    /// The endpoint name the credential belongs to.
    public var endpoint: String
    /// What the device presents.
    public var kind: Kind

    /// Creates a credential.
    public init(endpoint: String, kind: Kind) {
        self.endpoint = endpoint
        self.kind = kind
    }

    /// `"rpk"` or `"x509"`, as the REST API names the modes.
    public var mode: String {
        switch kind {
        case .rawPublicKey: "rpk"
        case .certificate: "x509"
        }
    }
}

/// Why a certificate or raw public key credential was refused.
public enum PKICredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another endpoint already has this public key (a key names one device).
    case publicKeyTaken(endpoint: String)
    /// Another endpoint already takes certificates with this subject.
    case subjectTaken(subject: String, endpoint: String)

    public var description: String {
        switch self {
        case .publicKeyTaken(let endpoint): "the public key belongs to endpoint '\(endpoint)'"
        case .subjectTaken(let subject, let endpoint): "the certificate subject '\(subject)' belongs to endpoint '\(endpoint)'"
        }
    }
}

/// The DTLS credentials of endpoints, in memory: PSKs the handshake takes keys from, raw public keys it accepts,
/// certificate subjects the registration checks. The handshake asks on the CoAP I/O thread, which must not wait
/// for the database. The persistent copy lives in the store of the caller (ResourceModel); whoever changes one
/// changes both. An endpoint has at most one credential: setting one of another kind replaces it.
public final class DTLSCredentialStore: Sendable {
    private struct State {
        var byEndpoint: [String: PSKCredential] = [:]
        var byIdentity: [String: PSKCredential] = [:]
        var pkiByEndpoint: [String: PKICredential] = [:]
        var byPublicKey: [[UInt8]: PKICredential] = [:]
        var bySubject: [String: PKICredential] = [:]

        mutating func removePSK(endpoint: String) -> Bool {
            guard let previous = byEndpoint.removeValue(forKey: endpoint) else { return false }
            byIdentity.removeValue(forKey: previous.identity)
            return true
        }

        mutating func removePKI(endpoint: String) -> Bool {
            guard let previous = pkiByEndpoint.removeValue(forKey: endpoint) else { return false }
            switch previous.kind {
            case .rawPublicKey(let key): byPublicKey.removeValue(forKey: key)
            case .certificate(let subject): bySubject.removeValue(forKey: subject)
            }
            return true
        }

        mutating func insert(_ credential: PSKCredential) {
            _ = removePKI(endpoint: credential.endpoint)
            _ = removePSK(endpoint: credential.endpoint)
            byEndpoint[credential.endpoint] = credential
            byIdentity[credential.identity] = credential
        }

        mutating func insert(_ credential: PKICredential) {
            _ = removePKI(endpoint: credential.endpoint)
            _ = removePSK(endpoint: credential.endpoint)
            pkiByEndpoint[credential.endpoint] = credential
            switch credential.kind {
            case .rawPublicKey(let key): byPublicKey[key] = credential
            case .certificate(let subject): bySubject[subject] = credential
            }
        }

        func owner(of kind: PKICredential.Kind) -> PKICredential? {
            switch kind {
            case .rawPublicKey(let key): byPublicKey[key]
            case .certificate(let subject): bySubject[subject]
            }
        }
    }

    private let state = Mutex(State())

    /// A store holding `credentials` and `pki` (a later one with an identity, key or subject already held
    /// replaces the earlier).
    public init(_ credentials: [PSKCredential] = [], pki: [PKICredential] = []) {
        replaceAll(credentials, pki: pki)
    }

    /// The key for a client presenting `identity` in a handshake; `nil` refuses the handshake.
    public func key(forIdentity identity: [UInt8]) -> [UInt8]? {
        let text = String(decoding: identity, as: UTF8.self)
        return state.withLock { $0.byIdentity[text]?.key }
    }

    /// The credential presented as `identity`.
    public func credential(forIdentity identity: String) -> PSKCredential? {
        state.withLock { $0.byIdentity[identity] }
    }

    /// The PSK credential of `endpoint`.
    public func credential(forEndpoint endpoint: String) -> PSKCredential? {
        state.withLock { $0.byEndpoint[endpoint] }
    }

    /// The certificate or raw public key credential of `endpoint`.
    public func pkiCredential(forEndpoint endpoint: String) -> PKICredential? {
        state.withLock { $0.pkiByEndpoint[endpoint] }
    }

    /// The credential holding the raw public key `key` (a DER SubjectPublicKeyInfo).
    public func credential(forPublicKey key: [UInt8]) -> PKICredential? {
        state.withLock { $0.byPublicKey[key] }
    }

    /// Whether `endpoint` has a credential of any kind (and so may not use plain CoAP).
    public func hasCredential(endpoint: String) -> Bool {
        state.withLock { $0.byEndpoint[endpoint] != nil || $0.pkiByEndpoint[endpoint] != nil }
    }

    /// Whether a certificate or raw-public-key handshake may finish: a raw public key must belong to an endpoint;
    /// a certificate the TLS layer validated may (which endpoint it may act as is checked per request).
    public func acceptsHandshake(of identity: CoAPPeerIdentity) -> Bool {
        switch identity {
        case .rawPublicKey(let key): credential(forPublicKey: key) != nil
        case .certificate, .preSharedKey: true
        }
    }

    /// Whether a peer that proved `identity` may act as `endpoint`: its PSK identity or raw public key is that
    /// endpoint's, or its certificate's name is the endpoint's certificate subject; an endpoint without any
    /// credential takes a (validated) certificate named like itself that no other endpoint claims.
    public func identity(_ identity: CoAPPeerIdentity, mayActAs endpoint: String) -> Bool {
        state.withLock { state in
            switch identity {
            case .preSharedKey(let raw):
                return state.byIdentity[String(decoding: raw, as: UTF8.self)]?.endpoint == endpoint
            case .rawPublicKey(let key):
                return state.byPublicKey[key]?.endpoint == endpoint
            case .certificate(let name, _):
                if let credential = state.pkiByEndpoint[endpoint] {
                    return credential.kind == .certificate(subject: name)
                }
                return state.byEndpoint[endpoint] == nil && name == endpoint && state.bySubject[name] == nil
            }
        }
    }

    /// Every PSK credential, sorted by endpoint.
    public var all: [PSKCredential] {
        state.withLock { $0.byEndpoint.values.sorted { $0.endpoint < $1.endpoint } }
    }

    /// Every certificate and raw public key credential, sorted by endpoint.
    public var allPKI: [PKICredential] {
        state.withLock { $0.pkiByEndpoint.values.sorted { $0.endpoint < $1.endpoint } }
    }

    /// Sets `credential` for its endpoint, replacing the endpoint's previous one of any kind; refused when
    /// another endpoint uses the identity.
    public func set(_ credential: PSKCredential) throws(PSKCredentialError) {
        let taken: PSKCredential? = state.withLock { state in
            if let owner = state.byIdentity[credential.identity], owner.endpoint != credential.endpoint {
                return owner
            }
            state.insert(credential)
            return nil
        }
        if let taken { throw .identityTaken(identity: credential.identity, endpoint: taken.endpoint) }
    }

    /// Sets `credential` for its endpoint, replacing the endpoint's previous one of any kind; refused when
    /// another endpoint has the key or subject.
    public func set(_ credential: PKICredential) throws(PKICredentialError) {
        let taken: PKICredential? = state.withLock { state in
            if let owner = state.owner(of: credential.kind), owner.endpoint != credential.endpoint { return owner }
            state.insert(credential)
            return nil
        }
        guard let taken else { return }
        switch credential.kind {
        case .rawPublicKey: throw .publicKeyTaken(endpoint: taken.endpoint)
        case .certificate(let subject): throw .subjectTaken(subject: subject, endpoint: taken.endpoint)
        }
    }

    /// Removes the credential of `endpoint`, of whichever kind; `false` when it had none.
    @discardableResult
    public func remove(endpoint: String) -> Bool {
        state.withLock { state in
            let psk = state.removePSK(endpoint: endpoint)
            let pki = state.removePKI(endpoint: endpoint)
            return psk || pki
        }
    }

    /// Replaces every credential.
    public func replaceAll(_ credentials: [PSKCredential], pki: [PKICredential] = []) {
        state.withLock { state in
            state = State()
            for credential in credentials {
                if let previous = state.byIdentity[credential.identity] {
                    _ = state.removePSK(endpoint: previous.endpoint)
                }
                state.insert(credential)
            }
            for credential in pki {
                if let previous = state.owner(of: credential.kind) { _ = state.removePKI(endpoint: previous.endpoint) }
                state.insert(credential)
            }
        }
    }
}

/// Why hex text is not a key.
public enum HexKeyError: Error, Sendable, Equatable {
    /// Character `position` (1-based) is not a hex digit.
    case notHexDigit(position: Int)
    /// An odd number of digits.
    case oddLength(digits: Int)
}

extension PSKCredential {
    /// The bytes of a key written in hex (either case, two digits a byte), as the REST API and the simulator
    /// take keys.
    public static func key(hex text: String) throws(HexKeyError) -> [UInt8] {
        var nibbles: [UInt8] = []
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            let nibble: UInt8
            switch scalar {
            case "0"..."9": nibble = UInt8(scalar.value - 0x30)
            case "a"..."f": nibble = UInt8(scalar.value - 0x61 + 10)
            case "A"..."F": nibble = UInt8(scalar.value - 0x41 + 10)
            default: throw .notHexDigit(position: offset + 1)
            }
            nibbles.append(nibble)
        }
        guard nibbles.count.isMultiple(of: 2) else { throw .oddLength(digits: nibbles.count) }
        return stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
    }
}
