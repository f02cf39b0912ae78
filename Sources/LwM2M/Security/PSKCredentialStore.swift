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

/// The PSK credentials the DTLS endpoint serves keys from, in memory: the handshake asks for a key on the CoAP
/// I/O thread, which must not wait for the database. The persistent copy lives in the store of the caller
/// (ResourceModel); whoever changes one changes both.
public final class PSKCredentialStore: Sendable {
    private struct State {
        var byEndpoint: [String: PSKCredential] = [:]
        var byIdentity: [String: PSKCredential] = [:]
    }

    private let state = Mutex(State())

    /// A store holding `credentials` (a later one with an identity already held replaces the earlier).
    public init(_ credentials: [PSKCredential] = []) {
        replaceAll(credentials)
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

    /// The credential of `endpoint`.
    public func credential(forEndpoint endpoint: String) -> PSKCredential? {
        state.withLock { $0.byEndpoint[endpoint] }
    }

    /// Every credential, sorted by endpoint.
    public var all: [PSKCredential] {
        state.withLock { $0.byEndpoint.values.sorted { $0.endpoint < $1.endpoint } }
    }

    /// Sets `credential` for its endpoint, replacing the endpoint's previous one; refused when another endpoint
    /// uses the identity.
    public func set(_ credential: PSKCredential) throws(PSKCredentialError) {
        let taken: PSKCredential? = state.withLock { state in
            if let owner = state.byIdentity[credential.identity], owner.endpoint != credential.endpoint {
                return owner
            }
            if let previous = state.byEndpoint[credential.endpoint] {
                state.byIdentity.removeValue(forKey: previous.identity)
            }
            state.byEndpoint[credential.endpoint] = credential
            state.byIdentity[credential.identity] = credential
            return nil
        }
        if let taken { throw .identityTaken(identity: credential.identity, endpoint: taken.endpoint) }
    }

    /// Removes the credential of `endpoint`; `false` when it had none.
    @discardableResult
    public func remove(endpoint: String) -> Bool {
        state.withLock { state in
            guard let previous = state.byEndpoint.removeValue(forKey: endpoint) else { return false }
            state.byIdentity.removeValue(forKey: previous.identity)
            return true
        }
    }

    /// Replaces every credential.
    public func replaceAll(_ credentials: [PSKCredential]) {
        state.withLock { state in
            state = State()
            for credential in credentials {
                if let previous = state.byIdentity[credential.identity] {
                    state.byEndpoint.removeValue(forKey: previous.endpoint)
                }
                if let previous = state.byEndpoint[credential.endpoint] {
                    state.byIdentity.removeValue(forKey: previous.identity)
                }
                state.byEndpoint[credential.endpoint] = credential
                state.byIdentity[credential.identity] = credential
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
