/// CBOR encoding (RFC 8949 §4.1 "preferred serialization"): shortest argument encodings, definite lengths,
/// floats in the shortest of half/single/double that represents the value exactly.
extension CBORValue {
    /// The encoded bytes of this item.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        encode(to: &out)
        return out
    }

    private func encode(to out: inout [UInt8]) {
        switch self {
        case .unsigned(let n): Self.appendHead(0, n, to: &out)
        case .negative(let n): Self.appendHead(1, n, to: &out)
        case .bytes(let bytes):
            Self.appendHead(2, UInt64(bytes.count), to: &out)
            out += bytes
        case .text(let text):
            let utf8 = Array(text.utf8)
            Self.appendHead(3, UInt64(utf8.count), to: &out)
            out += utf8
        case .array(let items):
            Self.appendHead(4, UInt64(items.count), to: &out)
            for item in items { item.encode(to: &out) }
        case .map(let entries):
            Self.appendHead(5, UInt64(entries.count), to: &out)
            for entry in entries {
                entry.key.encode(to: &out)
                entry.value.encode(to: &out)
            }
        case .tagged(let tag, let content):
            Self.appendHead(6, tag, to: &out)
            content.encode(to: &out)
        case .bool(let flag): out.append(flag ? 0xF5 : 0xF4)
        case .null: out.append(0xF6)
        case .undefined: out.append(0xF7)
        case .simple(let value):
            if value < 24 { out.append(0xE0 | value) } else { out += [0xF8, value] }
        case .float(let value): Self.appendFloat(value, to: &out)
        }
    }

    /// The initial byte and argument of a data item (RFC 8949 §3).
    private static func appendHead(_ major: UInt8, _ argument: UInt64, to out: inout [UInt8]) {
        let type = major << 5
        switch argument {
        case 0..<24: out.append(type | UInt8(argument))
        case 24...0xFF: out += [type | 24, UInt8(argument)]
        case 0x100...0xFFFF: out.append(type | 25); appendBigEndian(argument, count: 2, to: &out)
        case 0x1_0000...0xFFFF_FFFF: out.append(type | 26); appendBigEndian(argument, count: 4, to: &out)
        default: out.append(type | 27); appendBigEndian(argument, count: 8, to: &out)
        }
    }

    private static func appendBigEndian(_ value: UInt64, count: Int, to out: inout [UInt8]) {
        for index in 0..<count { out.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * (count - 1 - index)))) }
    }

    private static func appendFloat(_ value: Double, to out: inout [UInt8]) {
        if let half = HalfFloat.exactBits(of: value) {
            out.append(0xF9)
            appendBigEndian(UInt64(half), count: 2, to: &out)
        } else if Double(Float(value)) == value {
            out.append(0xFA)
            appendBigEndian(UInt64(Float(value).bitPattern), count: 4, to: &out)
        } else {
            out.append(0xFB)
            appendBigEndian(value.bitPattern, count: 8, to: &out)
        }
    }
}
