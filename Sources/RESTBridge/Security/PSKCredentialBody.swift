import LwM2M

/// The body of `PUT /api/v1/security/{endpoint}`: `{"identity":"...","key":"<hex>"}`. Every error is a 400
/// `invalid-body` problem with the member's pointer; messages never repeat the key.
struct PSKCredentialBody: Equatable {
    /// The members the body may have.
    static let members: Set<String> = ["identity", "key"]
    /// The key length range in bytes: what every PSK implementation must support (RFC 4279 §5.3).
    static let keyBytes = 1...64
    /// The identity length range in UTF-8 bytes (RFC 4279 §5.1 identities are UTF-8 text; §5.3: every
    /// implementation supports 128 octets).
    static let identityBytes = 1...128

    /// The PSK identity.
    var identity: String
    /// The key.
    var key: [UInt8]

    /// Reads `members` (already checked against `members`); `identity` defaults to `endpoint`.
    init(_ members: [String: RequestJSON], endpoint: String) throws(Problem) {
        key = try Self.key(members["key"])
        switch members["identity"] {
        case nil:
            if let problem = Self.identityProblem(endpoint) {
                throw Self.invalid("/identity", "missing, and the endpoint name cannot be the identity: \(problem)")
            }
            identity = endpoint
        case .string(let text)?:
            if let problem = Self.identityProblem(text) { throw Self.invalid("/identity", problem) }
            identity = text
        case let other?:
            throw Self.invalid("/identity", "expected a string, got \(other.typeDescription)")
        }
    }

    /// Why `identity` cannot be a PSK identity, or `nil` when it can.
    static func identityProblem(_ identity: String) -> String? {
        let length = identity.utf8.count
        guard identityBytes.contains(length) else {
            return "expected \(identityBytes.lowerBound) to \(identityBytes.upperBound) bytes of UTF-8, got \(length)"
        }
        if let index = identity.unicodeScalars.firstIndex(where: { $0.properties.generalCategory == .control }) {
            let position = identity.unicodeScalars.distance(from: identity.unicodeScalars.startIndex, to: index) + 1
            return "character \(position) is a control character"
        }
        return nil
    }

    /// The key from its hex form: an even number of hex digits, either case, 1 to 64 bytes.
    static func key(_ value: RequestJSON?) throws(Problem) -> [UInt8] {
        let expected = "\(keyBytes.lowerBound) to \(keyBytes.upperBound) bytes as hex digits"
        let text: String
        switch value {
        case nil, .null?: throw invalid("/key", "missing; expected the key as \(expected)")
        case .string(let string)?: text = string
        case let other?: throw invalid("/key", "expected a string of \(expected), got \(other.typeDescription)")
        }
        let key: [UInt8]
        do throws(HexKeyError) {
            key = try PSKCredential.key(hex: text)
        } catch {
            switch error {
            case .notHexDigit(let position):
                throw invalid("/key", "character \(position) is not a hex digit; expected \(expected)")
            case .oddLength(let digits):
                throw invalid("/key", "odd number of hex digits (\(digits)); every byte takes two")
            }
        }
        guard keyBytes.contains(key.count) else {
            throw invalid("/key", "\(key.count) bytes; expected \(expected)")
        }
        return key
    }

    /// A 400 `invalid-body` problem at `pointer`.
    private static func invalid(_ pointer: String, _ message: String) -> Problem {
        Problem.invalidBody(NodeJSONError(pointer: pointer, message))
    }
}
