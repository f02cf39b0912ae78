/// A CoAP message code (RFC 7252 §3, §12.1): a 3-bit class and a 5-bit detail, written `c.dd`.
public struct CoAPCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The code byte as it appears on the wire.
    public let rawValue: UInt8

    /// Creates a code from its wire byte.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Creates a code from its class and detail (`CoAPCode(4, 4)` is 4.04).
    public init(_ codeClass: UInt8, _ detail: UInt8) {
        precondition(codeClass < 8 && detail < 32, "CoAP code out of range")
        rawValue = codeClass << 5 | detail
    }

    /// The class (2 = success, 4 = client error, 5 = server error).
    public var codeClass: UInt8 { rawValue >> 5 }
    /// The detail within the class.
    public var detail: UInt8 { rawValue & 0x1f }
    /// Whether this is a 2.xx success code.
    public var isSuccess: Bool { codeClass == 2 }

    public var description: String {
        let d = detail < 10 ? "0\(detail)" : "\(detail)"
        return "\(codeClass).\(d)"
    }

    /// 2.01 Created.
    public static let created = CoAPCode(2, 1)
    /// 2.02 Deleted.
    public static let deleted = CoAPCode(2, 2)
    /// 2.03 Valid.
    public static let valid = CoAPCode(2, 3)
    /// 2.04 Changed.
    public static let changed = CoAPCode(2, 4)
    /// 2.05 Content.
    public static let content = CoAPCode(2, 5)
    /// 2.31 Continue (RFC 7959).
    public static let `continue` = CoAPCode(2, 31)
    /// 4.00 Bad Request.
    public static let badRequest = CoAPCode(4, 0)
    /// 4.01 Unauthorized.
    public static let unauthorized = CoAPCode(4, 1)
    /// 4.02 Bad Option.
    public static let badOption = CoAPCode(4, 2)
    /// 4.03 Forbidden.
    public static let forbidden = CoAPCode(4, 3)
    /// 4.04 Not Found.
    public static let notFound = CoAPCode(4, 4)
    /// 4.05 Method Not Allowed.
    public static let methodNotAllowed = CoAPCode(4, 5)
    /// 4.06 Not Acceptable.
    public static let notAcceptable = CoAPCode(4, 6)
    /// 4.08 Request Entity Incomplete (RFC 7959).
    public static let requestEntityIncomplete = CoAPCode(4, 8)
    /// 4.09 Conflict (RFC 8132).
    public static let conflict = CoAPCode(4, 9)
    /// 4.12 Precondition Failed.
    public static let preconditionFailed = CoAPCode(4, 12)
    /// 4.13 Request Entity Too Large.
    public static let requestEntityTooLarge = CoAPCode(4, 13)
    /// 4.15 Unsupported Content-Format.
    public static let unsupportedContentFormat = CoAPCode(4, 15)
    /// 5.00 Internal Server Error.
    public static let internalServerError = CoAPCode(5, 0)
    /// 5.01 Not Implemented.
    public static let notImplemented = CoAPCode(5, 1)
    /// 5.03 Service Unavailable.
    public static let serviceUnavailable = CoAPCode(5, 3)
    /// 4.29 Too Many Requests (RFC 8516).
    public static let tooManyRequests = CoAPCode(4, 29)
    /// 5.04 Gateway Timeout.
    public static let gatewayTimeout = CoAPCode(5, 4)
}
