/// A CBOR data item (RFC 8949 §3): this package's own small CBOR model, used by the CBOR (60) and SenML CBOR
/// (112) codecs. Floats of every width decode to `.float`; encoding picks the shortest lossless width.
public indirect enum CBORValue: Sendable, Hashable {
    /// Major type 0: an unsigned integer.
    case unsigned(UInt64)
    /// Major type 1: the negative integer `-1 - n`.
    case negative(UInt64)
    /// Major type 2: a byte string.
    case bytes([UInt8])
    /// Major type 3: a UTF-8 text string.
    case text(String)
    /// Major type 4: an array.
    case array([CBORValue])
    /// Major type 5: a map, entries in document order.
    case map([CBORMapEntry])
    /// Major type 6: a tag and its content.
    case tagged(UInt64, CBORValue)
    /// Major type 7: `false`/`true`.
    case bool(Bool)
    /// Major type 7: `null`.
    case null
    /// Major type 7: `undefined`.
    case undefined
    /// Major type 7: another simple value (0...19 or 32...255).
    case simple(UInt8)
    /// Major type 7: a half, single or double precision float.
    case float(Double)

    /// An integer item for `value`: `.unsigned` when non-negative, `.negative` otherwise.
    public static func integer(_ value: Int64) -> CBORValue {
        value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(bitPattern: ~value))
    }

    /// The value of an integer item as `Int64`, `nil` for other items or when out of range.
    public var int64Value: Int64? {
        switch self {
        case .unsigned(let n): n <= UInt64(Int64.max) ? Int64(n) : nil
        case .negative(let n): n <= UInt64(Int64.max) ? ~Int64(n) : nil
        case .bytes, .text, .array, .map, .tagged, .bool, .null, .undefined, .simple, .float: nil
        }
    }

    /// The entry value for `key` in a map item, `nil` otherwise.
    public subscript(key: CBORValue) -> CBORValue? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }
}

extension CBORValue {
    /// A name of the item kind for messages.
    var kindName: String {
        switch self {
        case .unsigned, .negative: "integer"
        case .bytes: "byte string"
        case .text: "text string"
        case .array: "array"
        case .map: "map"
        case .tagged(let tag, _): "tag \(tag)"
        case .bool: "boolean"
        case .null: "null"
        case .undefined: "undefined"
        case .simple: "simple value"
        case .float: "float"
        }
    }
}
