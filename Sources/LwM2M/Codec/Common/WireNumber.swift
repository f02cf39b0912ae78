/// A number as written in a SenML or JSON payload, keeping whether it was an integer or a float so that
/// integers round-trip exactly and `v` values can be typed from the object model (RFC 8428 §4.3).
public enum WireNumber: Sendable, Hashable {
    /// An integer that fits `Int64`.
    case integer(Int64)
    /// A non-negative integer above `Int64.max`.
    case unsigned(UInt64)
    /// A floating-point number.
    case float(Double)

    /// The number as a `Double` (integers above 2^53 lose precision).
    public var doubleValue: Double {
        switch self {
        case .integer(let value): Double(value)
        case .unsigned(let value): Double(value)
        case .float(let value): value
        }
    }

    /// The number as an `Int64` when it is integral and in range, else `nil`.
    public var exactInt64: Int64? {
        switch self {
        case .integer(let value): return value
        case .unsigned: return nil
        case .float(let value):
            guard value == value.rounded(.towardZero), value >= -0x1p63, value < 0x1p63 else { return nil }
            return Int64(value)
        }
    }

    /// The number as a `UInt64` when it is integral, non-negative and in range, else `nil`.
    public var exactUInt64: UInt64? {
        switch self {
        case .integer(let value): return value >= 0 ? UInt64(value) : nil
        case .unsigned(let value): return value
        case .float(let value):
            guard value == value.rounded(.towardZero), value >= 0, value < 0x1p64 else { return nil }
            return UInt64(value)
        }
    }

    /// The number for an unsigned integer, as `.integer` when it fits so equal values compare equal.
    static func fromUnsigned(_ value: UInt64) -> WireNumber {
        value <= UInt64(Int64.max) ? .integer(Int64(value)) : .unsigned(value)
    }

    /// A number from a JSON number lexeme already checked against the RFC 8259 grammar: integers without
    /// fraction or exponent stay integers when they fit 64 bits, everything else is a `Double`.
    static func fromJSONLexeme(_ lexeme: String) -> WireNumber? {
        let isInteger = !lexeme.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        if isInteger {
            if let value = Int64(lexeme) { return .integer(value) }
            if let value = UInt64(lexeme) { return .unsigned(value) }
        }
        guard let value = Double(lexeme), value.isFinite else { return nil }
        return .float(value)
    }

    /// The JSON text: integers in decimal, floats in the shortest round-tripping form (always with `.` or `e`).
    func jsonText() throws(LwM2MCodecError) -> String {
        switch self {
        case .integer(let value): return String(value)
        case .unsigned(let value): return String(value)
        case .float(let value): return try LwM2MValue.floatText(value)
        }
    }
}
