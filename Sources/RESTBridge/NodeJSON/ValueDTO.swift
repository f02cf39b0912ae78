import Foundation
import LwM2M

/// One resource value as JSON (LwM2M 1.1 Core Appendix C types): strings stay strings, numbers are JSON
/// numbers, booleans are booleans; opaque is base64 (RFC 4648 §4, padded), time an ISO 8601 UTC instant
/// (`2026-11-23T01:02:03.000Z`), objlnk `"3:0"`, corelnk a link-format string (RFC 6690).
///
/// Edge cases: a float that is NaN or infinite is the string `"NaN"`, `"Infinity"` or `"-Infinity"` (JSON has no
/// such numbers); a time outside the years 0001–9999 is its number of epoch seconds.
public enum ValueDTO: Sendable, Equatable, Encodable {
    /// A JSON string.
    case string(String)
    /// A JSON number that is a signed integer.
    case integer(Int64)
    /// A JSON number that is an unsigned integer.
    case unsignedInteger(UInt64)
    /// A JSON number with a fraction or exponent.
    case float(Double)
    /// A JSON boolean.
    case boolean(Bool)

    /// The earliest time written as ISO 8601: 0001-01-01T00:00:00Z.
    static let earliestISOTime: Int64 = -62_135_596_800
    /// The latest time written as ISO 8601: 9999-12-31T23:59:59Z.
    static let latestISOTime: Int64 = 253_402_300_799

    /// The JSON form of `value`.
    public init(_ value: LwM2MValue) {
        switch value {
        case .string(let text): self = .string(text)
        case .integer(let number): self = .integer(number)
        case .unsignedInteger(let number): self = .unsignedInteger(number)
        case .float(let number):
            if number.isNaN {
                self = .string("NaN")
            } else if number.isInfinite {
                self = .string(number < 0 ? "-Infinity" : "Infinity")
            } else {
                self = .float(number)
            }
        case .boolean(let flag): self = .boolean(flag)
        case .opaque(let bytes): self = .string(Data(bytes).base64EncodedString())
        case .time(let seconds):
            if (Self.earliestISOTime...Self.latestISOTime).contains(seconds) {
                self = .string(APIJSON.timestamp(Date(timeIntervalSince1970: TimeInterval(seconds))))
            } else {
                self = .integer(seconds)
            }
        case .objlnk(let objectID, let instanceID): self = .string("\(objectID):\(instanceID)")
        case .corelnk(let links): self = .string(LinkFormat.serialize(links))
        }
    }

    /// Encodes the bare JSON scalar.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .integer(let number): try container.encode(number)
        case .unsignedInteger(let number): try container.encode(number)
        case .float(let number): try container.encode(number)
        case .boolean(let flag): try container.encode(flag)
        }
    }
}
