import Foundation
import LwM2M

/// The `value*` columns of one `resource` row, and the v1 value scheme that maps typed values onto them.
///
/// The column is chosen by the resource type's data type: Integer, Unsigned Integer (as its `Int64` bit
/// pattern), Time (epoch seconds) → `valueInteger`; Float → `valueReal`; Boolean → `valueBool`; String,
/// Corelnk (link format), Objlnk (`"3:0"`) → `valueText`; Opaque → `valueBlob`. All `nil` is "no value".
struct ResourceValueColumns: Sendable, Equatable {
    /// `valueInteger`.
    var integer: Int64?
    /// `valueReal`.
    var real: Double?
    /// `valueText`.
    var text: String?
    /// `valueBlob`.
    var blob: Data?
    /// `valueBool`.
    var bool: Bool?

    /// Creates the columns from their raw values.
    init(integer: Int64? = nil, real: Double? = nil, text: String? = nil, blob: Data? = nil, bool: Bool? = nil) {
        self.integer = integer
        self.real = real
        self.text = text
        self.blob = blob
        self.bool = bool
    }

    /// The columns storing `value` as a `type` value, converting losslessly between the numeric types
    /// (integer ↔ unsigned ↔ time, integer → float, integral float → integer); `nil` when it does not fit.
    init?(_ value: LwM2MValue, as type: ResourceDataType) {
        switch (type, value) {
        case (.integer, .integer(let n)), (.integer, .time(let n)), (.time, .time(let n)), (.time, .integer(let n)):
            self.init(integer: n)
        case (.integer, .unsignedInteger(let n)), (.time, .unsignedInteger(let n)):
            guard let n = Int64(exactly: n) else { return nil }
            self.init(integer: n)
        case (.integer, .float(let x)), (.time, .float(let x)):
            guard let n = Int64(exactly: x) else { return nil }
            self.init(integer: n)
        case (.unsignedInteger, .unsignedInteger(let n)):
            self.init(integer: Int64(bitPattern: n))
        case (.unsignedInteger, .integer(let n)), (.unsignedInteger, .time(let n)):
            guard n >= 0 else { return nil }
            self.init(integer: n)
        case (.unsignedInteger, .float(let x)):
            guard let n = UInt64(exactly: x) else { return nil }
            self.init(integer: Int64(bitPattern: n))
        case (.float, .float(let x)):
            self.init(real: x)
        case (.float, .integer(let n)), (.float, .time(let n)):
            self.init(real: Double(n))
        case (.float, .unsignedInteger(let n)):
            self.init(real: Double(n))
        case (.boolean, .boolean(let flag)):
            self.init(bool: flag)
        case (.string, .string(let text)):
            self.init(text: text)
        case (.opaque, .opaque(let bytes)):
            self.init(blob: Data(bytes))
        case (.objlnk, .objlnk(let objectID, let instanceID)):
            self.init(text: "\(objectID):\(instanceID)")
        case (.corelnk, .corelnk(let links)):
            self.init(text: LinkFormat.serialize(links))
        case (.corelnk, .string(let text)):
            self.init(text: text)
        default:
            return nil
        }
    }

    /// The typed value these columns hold for a resource of `type`; `nil` when they hold none (or a text that
    /// is not a valid object link / link format).
    func value(as type: ResourceDataType) -> LwM2MValue? {
        switch type {
        case .integer: return integer.map(LwM2MValue.integer)
        case .unsignedInteger: return integer.map { .unsignedInteger(UInt64(bitPattern: $0)) }
        case .time: return integer.map(LwM2MValue.time)
        case .float: return real.map(LwM2MValue.float) ?? integer.map { .float(Double($0)) }
        case .boolean: return bool.map(LwM2MValue.boolean)
        case .string: return text.map(LwM2MValue.string)
        case .opaque: return blob.map { .opaque([UInt8]($0)) }
        case .objlnk:
            guard let text else { return nil }
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let objectID = UInt16(parts[0]), let instanceID = UInt16(parts[1]) else { return nil }
            return .objlnk(objectID: objectID, instanceID: instanceID)
        case .corelnk:
            guard let text, let links = try? LinkFormat.parse(text) else { return nil }
            return .corelnk(links)
        case .none: return nil
        }
    }
}
