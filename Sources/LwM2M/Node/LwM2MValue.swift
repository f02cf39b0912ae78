import Foundation

/// A typed resource value, one case per LwM2M data type (LwM2M 1.1 Core Appendix C).
///
/// `time` is held as signed Unix epoch seconds (`Int64`), not `Date`: every content format carries time as an
/// integer number of seconds (TLV integer, plain-text decimal, SenML/JSON number, CBOR tag 1), so an integer
/// round-trips exactly while a `Date` (a `Double` of seconds since 2001) would not. Use `date` for a `Date`.
public enum LwM2MValue: Sendable, Hashable {
    /// A UTF-8 string.
    case string(String)
    /// A signed 64-bit integer.
    case integer(Int64)
    /// An unsigned 64-bit integer (LwM2M 1.1).
    case unsignedInteger(UInt64)
    /// A 64-bit floating-point number (encoders use 32 bits when lossless).
    case float(Double)
    /// A boolean.
    case boolean(Bool)
    /// Raw bytes.
    case opaque([UInt8])
    /// Unix time in seconds since 1970-01-01T00:00:00Z.
    case time(Int64)
    /// An object link `objectID:instanceID`; `65535:65535` is the null link.
    case objlnk(objectID: UInt16, instanceID: UInt16)
    /// A CoRE link-format value (LwM2M 1.1), parsed into links.
    case corelnk([WebLink])

    /// The data type this value carries.
    public var dataType: ResourceDataType {
        switch self {
        case .string: .string
        case .integer: .integer
        case .unsignedInteger: .unsignedInteger
        case .float: .float
        case .boolean: .boolean
        case .opaque: .opaque
        case .time: .time
        case .objlnk: .objlnk
        case .corelnk: .corelnk
        }
    }

    /// A time value from a `Date`, rounded down to whole seconds and clamped to the `Int64` range.
    public static func time(_ date: Date) -> LwM2MValue {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite else { return .time(seconds < 0 ? .min : .max) }
        return .time(WireNumber.float(seconds).exactInt64 ?? (seconds < 0 ? .min : .max))
    }

    /// The `Date` of a time value, `nil` for other cases.
    public var date: Date? {
        if case .time(let seconds) = self { return Date(timeIntervalSince1970: TimeInterval(seconds)) }
        return nil
    }
}
