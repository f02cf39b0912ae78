/// Value bytes of TLV records by data type (LwM2M 1.1 Core §7.4.3 and Appendix C).
enum TLVValue {
    /// The value bytes: integers and time in the shortest of 1/2/4/8 bytes two's complement, unsigned integers
    /// in the shortest of 1/2/4/8 bytes unsigned, floats in 4 bytes when lossless else 8, booleans in 1 byte,
    /// object links in 4 bytes, strings and core links in UTF-8, opaque as is.
    static func encode(_ value: LwM2MValue) -> [UInt8] {
        switch value {
        case .string(let text): return Array(text.utf8)
        case .integer(let number), .time(let number): return encodeSigned(number)
        case .unsignedInteger(let number): return encodeUnsigned(number)
        case .float(let number):
            let single = Float(number)
            if Double(single) == number || number.isNaN && single.isNaN {
                return bigEndian(UInt64(single.bitPattern), count: 4)
            }
            return bigEndian(number.bitPattern, count: 8)
        case .boolean(let flag): return [flag ? 1 : 0]
        case .opaque(let bytes): return bytes
        case .objlnk(let objectID, let instanceID):
            return [UInt8(objectID >> 8), UInt8(objectID & 0xFF), UInt8(instanceID >> 8), UInt8(instanceID & 0xFF)]
        case .corelnk(let links): return Array(LinkFormat.serialize(links).utf8)
        }
    }

    static func encodeSigned(_ number: Int64) -> [UInt8] {
        let count =
            if Int64(Int8.min)...Int64(Int8.max) ~= number { 1 }
            else if Int64(Int16.min)...Int64(Int16.max) ~= number { 2 }
            else if Int64(Int32.min)...Int64(Int32.max) ~= number { 4 }
            else { 8 }
        return bigEndian(UInt64(bitPattern: number), count: count)
    }

    static func encodeUnsigned(_ number: UInt64) -> [UInt8] {
        let count = number <= 0xFF ? 1 : number <= 0xFFFF ? 2 : number <= 0xFFFF_FFFF ? 4 : 8
        return bigEndian(number, count: count)
    }

    private static func bigEndian(_ bits: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: bits >> UInt64(8 * (count - 1 - $0))) }
    }

    /// Decodes value bytes as `type`; `nil` type (unknown resource) yields opaque. Throws `invalidValue` for a
    /// length the type does not allow, a boolean other than 0/1, or text that is not UTF-8.
    static func decode(_ bytes: [UInt8], as type: ResourceDataType?, at path: LwM2MPath) throws(LwM2MCodecError)
        -> LwM2MValue
    {
        guard let type else { return .opaque(bytes) }
        switch type {
        case .string:
            return try LwM2MValue.decodedString(try utf8(bytes, at: path), at: path)
        case .integer:
            return .integer(try signed(bytes, at: path))
        case .time:
            return .time(try signed(bytes, at: path))
        case .unsignedInteger:
            guard [1, 2, 4, 8].contains(bytes.count) else { throw badLength(bytes.count, type, path) }
            return .unsignedInteger(bytes.reduce(0) { $0 << 8 | UInt64($1) })
        case .float:
            switch bytes.count {
            case 4: return .float(Double(Float(bitPattern: UInt32(truncatingIfNeeded: unsignedBits(bytes)))))
            case 8: return .float(Double(bitPattern: unsignedBits(bytes)))
            default: throw badLength(bytes.count, type, path)
            }
        case .boolean:
            guard bytes.count == 1 else { throw badLength(bytes.count, type, path) }
            guard bytes[0] <= 1 else {
                throw LwM2MCodecError(.invalidValue, "boolean byte must be 0 or 1, got \(bytes[0])", path: path)
            }
            return .boolean(bytes[0] == 1)
        case .opaque:
            return .opaque(bytes)
        case .objlnk:
            guard bytes.count == 4 else { throw badLength(bytes.count, type, path) }
            return .objlnk(objectID: UInt16(bytes[0]) << 8 | UInt16(bytes[1]),
                           instanceID: UInt16(bytes[2]) << 8 | UInt16(bytes[3]))
        case .corelnk:
            let text = try utf8(bytes, at: path)
            return try annotating(path) { () throws(LwM2MCodecError) in try LwM2MValue.parseCorelnk(text) }
        case .none:
            throw LwM2MCodecError(.typeMismatch, "resource is executable and has no value", path: path)
        }
    }

    private static func signed(_ bytes: [UInt8], at path: LwM2MPath) throws(LwM2MCodecError) -> Int64 {
        guard [1, 2, 4, 8].contains(bytes.count) else { throw badLength(bytes.count, .integer, path) }
        let shift = UInt64(64 - 8 * bytes.count)
        return Int64(bitPattern: unsignedBits(bytes) << shift) >> Int64(shift)
    }

    private static func unsignedBits(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    private static func utf8(_ bytes: [UInt8], at path: LwM2MPath) throws(LwM2MCodecError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw LwM2MCodecError(.invalidValue, "string value is not UTF-8", path: path)
        }
        return text
    }

    private static func badLength(_ count: Int, _ type: ResourceDataType, _ path: LwM2MPath) -> LwM2MCodecError {
        LwM2MCodecError(.invalidValue, "\(count) bytes is not a valid length for a TLV \(type.rawValue)", path: path)
    }
}
