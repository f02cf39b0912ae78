/// A CBOR decoder (RFC 8949) for untrusted input: all major types, definite and indefinite lengths, tags kept,
/// half/single/double floats. It never reads or allocates past the input: every length is checked against the
/// bytes that remain before anything is sliced, counts of array and map items are bounded by them too, and
/// nesting (arrays, maps, tags) is limited to `maxDepth`. Malformed input throws `malformed` with the offset.
public struct CBORDecoder: Sendable {
    /// The default nesting limit.
    public static let defaultMaxDepth = 32

    /// The deepest nesting of arrays, maps and tags accepted.
    public let maxDepth: Int

    /// Creates a decoder.
    public init(maxDepth: Int = CBORDecoder.defaultMaxDepth) {
        self.maxDepth = maxDepth
    }

    /// Decodes exactly one data item that spans all of `bytes`; trailing bytes are an error.
    public func decode(_ bytes: [UInt8]) throws(LwM2MCodecError) -> CBORValue {
        var cursor = Cursor(bytes: bytes, maxDepth: maxDepth)
        let value = try cursor.item(depth: 0)
        guard cursor.index == bytes.count else {
            throw LwM2MCodecError(.malformed, "CBOR: \(bytes.count - cursor.index) trailing bytes", offset: cursor.index)
        }
        return value
    }

    /// Decodes the first data item and returns it with the number of bytes it used.
    public func decodePrefix(_ bytes: [UInt8]) throws(LwM2MCodecError) -> (value: CBORValue, length: Int) {
        var cursor = Cursor(bytes: bytes, maxDepth: maxDepth)
        let value = try cursor.item(depth: 0)
        return (value, cursor.index)
    }

    /// A read position over the input.
    private struct Cursor {
        let bytes: [UInt8]
        let maxDepth: Int
        var index = 0

        init(bytes: [UInt8], maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        var remaining: Int { bytes.count - index }

        func error(_ message: String, at offset: Int? = nil) -> LwM2MCodecError {
            LwM2MCodecError(.malformed, "CBOR: \(message)", offset: offset ?? index)
        }

        mutating func byte() throws(LwM2MCodecError) -> UInt8 {
            guard index < bytes.count else { throw error("unexpected end of input") }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func bigEndian(_ count: Int) throws(LwM2MCodecError) -> UInt64 {
            guard remaining >= count else { throw error("unexpected end of input") }
            var value: UInt64 = 0
            for _ in 0..<count {
                value = value << 8 | UInt64(bytes[index])
                index += 1
            }
            return value
        }

        /// The argument of a head with additional information `info`; `nil` for indefinite length (31).
        mutating func argument(_ info: UInt8, at offset: Int) throws(LwM2MCodecError) -> UInt64? {
            switch info {
            case 0..<24: return UInt64(info)
            case 24: return try bigEndian(1)
            case 25: return try bigEndian(2)
            case 26: return try bigEndian(4)
            case 27: return try bigEndian(8)
            case 31: return nil
            default: throw error("reserved additional information \(info)", at: offset)
            }
        }

        /// A length that must fit in the remaining input, as `Int`.
        func checkedLength(_ length: UInt64, minimumItemSize: Int, at offset: Int) throws(LwM2MCodecError) -> Int {
            guard length <= UInt64(remaining / minimumItemSize) else {
                throw error("length \(length) exceeds the \(remaining) remaining bytes", at: offset)
            }
            return Int(length)
        }

        mutating func item(depth: Int) throws(LwM2MCodecError) -> CBORValue {
            let offset = index
            let initial = try byte()
            let major = initial >> 5
            let info = initial & 0x1F
            switch major {
            case 0:
                guard let n = try argument(info, at: offset) else { throw error("indefinite integer", at: offset) }
                return .unsigned(n)
            case 1:
                guard let n = try argument(info, at: offset) else { throw error("indefinite integer", at: offset) }
                return .negative(n)
            case 2, 3:
                let content = try stringContent(major: major, info: info, at: offset)
                if major == 2 { return .bytes(content) }
                guard let text = String(validating: content, as: UTF8.self) else {
                    throw error("text string is not UTF-8", at: offset)
                }
                return .text(text)
            case 4:
                guard depth < maxDepth else { throw error("nesting deeper than \(maxDepth)", at: offset) }
                var items: [CBORValue] = []
                if let count = try argument(info, at: offset) {
                    let count = try checkedLength(count, minimumItemSize: 1, at: offset)
                    for _ in 0..<count { items.append(try item(depth: depth + 1)) }
                } else {
                    while try !atBreak() { items.append(try item(depth: depth + 1)) }
                }
                return .array(items)
            case 5:
                guard depth < maxDepth else { throw error("nesting deeper than \(maxDepth)", at: offset) }
                var entries: [CBORMapEntry] = []
                if let count = try argument(info, at: offset) {
                    let count = try checkedLength(count, minimumItemSize: 2, at: offset)
                    for _ in 0..<count {
                        let key = try item(depth: depth + 1)
                        entries.append(CBORMapEntry(key, try item(depth: depth + 1)))
                    }
                } else {
                    while try !atBreak() {
                        let key = try item(depth: depth + 1)
                        guard try !atBreak(consume: false) else { throw error("map key without a value") }
                        entries.append(CBORMapEntry(key, try item(depth: depth + 1)))
                    }
                }
                return .map(entries)
            case 6:
                guard depth < maxDepth else { throw error("nesting deeper than \(maxDepth)", at: offset) }
                guard let tag = try argument(info, at: offset) else { throw error("indefinite tag", at: offset) }
                return .tagged(tag, try item(depth: depth + 1))
            default:
                return try simpleOrFloat(info, at: offset)
            }
        }

        /// Whether the next byte is the break code; consumes it when `consume`. Throws at end of input.
        mutating func atBreak(consume: Bool = true) throws(LwM2MCodecError) -> Bool {
            guard index < bytes.count else { throw error("missing break for indefinite length") }
            guard bytes[index] == 0xFF else { return false }
            if consume { index += 1 }
            return true
        }

        /// The content of a byte or text string; indefinite strings are definite chunks of the same major type.
        mutating func stringContent(major: UInt8, info: UInt8, at offset: Int) throws(LwM2MCodecError) -> [UInt8] {
            if let length = try argument(info, at: offset) {
                let count = try checkedLength(length, minimumItemSize: 1, at: offset)
                defer { index += count }
                return Array(bytes[index..<index + count])
            }
            var content: [UInt8] = []
            while try !atBreak() {
                let chunkOffset = index
                let initial = try byte()
                guard initial >> 5 == major, initial & 0x1F != 31 else {
                    throw error("indefinite string chunk of another type", at: chunkOffset)
                }
                guard let length = try argument(initial & 0x1F, at: chunkOffset) else {
                    throw error("nested indefinite string", at: chunkOffset)
                }
                let count = try checkedLength(length, minimumItemSize: 1, at: chunkOffset)
                content += bytes[index..<index + count]
                index += count
            }
            return content
        }

        /// Major type 7 (RFC 8949 §3.3).
        mutating func simpleOrFloat(_ info: UInt8, at offset: Int) throws(LwM2MCodecError) -> CBORValue {
            switch info {
            case 20: return .bool(false)
            case 21: return .bool(true)
            case 22: return .null
            case 23: return .undefined
            case 24:
                let value = try byte()
                guard value >= 32 else { throw error("two-byte simple value below 32", at: offset) }
                return .simple(value)
            case 25: return .float(HalfFloat.value(ofBits: UInt16(try bigEndian(2))))
            case 26: return .float(Double(Float(bitPattern: UInt32(try bigEndian(4)))))
            case 27: return .float(Double(bitPattern: try bigEndian(8)))
            case 31: throw error("unexpected break", at: offset)
            case 0..<20: return .simple(info)
            default: throw error("reserved additional information \(info)", at: offset)
            }
        }
    }
}
