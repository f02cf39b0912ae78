/// A CoAP request method (RFC 7252 §12.1.1, RFC 8132 for FETCH/PATCH/iPATCH).
public enum CoAPMethod: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case get = 1
    case post = 2
    case put = 3
    case delete = 4
    case fetch = 5
    case patch = 6
    case iPatch = 7

    public var description: String {
        switch self {
        case .get: "GET"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .fetch: "FETCH"
        case .patch: "PATCH"
        case .iPatch: "iPATCH"
        }
    }
}
