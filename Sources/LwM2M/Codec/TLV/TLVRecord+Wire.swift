/// TLV bytes ↔ records (LwM2M 1.1 Core §7.4.3).
extension TLVRecord {
    /// Encodes records in order; throws `invalidValue` when a value is longer than 2^24 - 1 bytes.
    public static func encode(_ records: [TLVRecord]) throws(LwM2MCodecError) -> [UInt8] {
        var out: [UInt8] = []
        for record in records { try record.append(to: &out) }
        return out
    }

    /// Encodes this record.
    public func encoded() throws(LwM2MCodecError) -> [UInt8] {
        var out: [UInt8] = []
        try append(to: &out)
        return out
    }

    private func append(to out: inout [UInt8]) throws(LwM2MCodecError) {
        let payload: [UInt8]
        switch self {
        case .objectInstance(_, let children), .multipleResource(_, let children):
            payload = try Self.encode(children)
        case .resourceInstance(_, let value), .resource(_, let value):
            payload = value
        }
        guard payload.count <= Self.maxLength else {
            throw LwM2MCodecError(.invalidValue, "TLV value of \(payload.count) bytes exceeds 2^24 - 1")
        }
        var type = typeBits << 6
        if id > 0xFF { type |= 0x20 }
        let lengthBytes: Int
        switch payload.count {
        case 0..<8:
            type |= UInt8(payload.count)
            lengthBytes = 0
        case 8...0xFF:
            type |= 0x08
            lengthBytes = 1
        case 0x100...0xFFFF:
            type |= 0x10
            lengthBytes = 2
        default:
            type |= 0x18
            lengthBytes = 3
        }
        out.append(type)
        if id > 0xFF { out.append(UInt8(id >> 8)) }
        out.append(UInt8(id & 0xFF))
        for shift in stride(from: (lengthBytes - 1) * 8, through: 0, by: -8) {
            out.append(UInt8((payload.count >> shift) & 0xFF))
        }
        out += payload
    }

    /// Decodes a complete TLV payload into its top-level records, parsing the children of object instances and
    /// multiple resources. Throws `malformed` (with the offset) when a header or value runs past the end, when a
    /// child record has a type its parent cannot contain, or when bytes are left over.
    public static func decode(_ bytes: [UInt8]) throws(LwM2MCodecError) -> [TLVRecord] {
        try decode(bytes, from: 0, to: bytes.count, parent: nil)
    }

    /// Parent kinds that constrain which records may appear inside.
    private enum Parent {
        case objectInstance
        case multipleResource
    }

    private static func decode(_ bytes: [UInt8], from start: Int, to end: Int, parent: Parent?)
        throws(LwM2MCodecError) -> [TLVRecord]
    {
        var records: [TLVRecord] = []
        var index = start
        while index < end {
            let headerOffset = index
            let type = bytes[index]
            index += 1
            let idLength = type & 0x20 != 0 ? 2 : 1
            let lengthType = Int((type >> 3) & 0x03)
            guard end - index >= idLength + lengthType else {
                throw LwM2MCodecError(.malformed, "TLV header truncated", offset: headerOffset)
            }
            var id = UInt16(bytes[index])
            if idLength == 2 { id = id << 8 | UInt16(bytes[index + 1]) }
            index += idLength
            var length = Int(type & 0x07)
            if lengthType > 0 {
                length = 0
                for _ in 0..<lengthType {
                    length = length << 8 | Int(bytes[index])
                    index += 1
                }
            }
            guard end - index >= length else {
                throw LwM2MCodecError(
                    .malformed, "TLV value of \(length) bytes but only \(end - index) remain", offset: headerOffset)
            }
            let valueRange = index..<(index + length)
            index += length
            let record: TLVRecord
            switch type >> 6 {
            case 0b00:
                guard parent == nil else {
                    throw LwM2MCodecError(.malformed, "TLV object instance nested in another record",
                                          offset: headerOffset)
                }
                record = .objectInstance(
                    id: id,
                    resources: try decode(bytes, from: valueRange.lowerBound, to: valueRange.upperBound,
                                          parent: .objectInstance))
            case 0b01:
                guard parent != .objectInstance else {
                    throw LwM2MCodecError(.malformed, "TLV resource instance directly inside an object instance",
                                          offset: headerOffset)
                }
                record = .resourceInstance(id: id, value: Array(bytes[valueRange]))
            case 0b10:
                guard parent != .multipleResource else {
                    throw LwM2MCodecError(.malformed, "TLV multiple resource nested in a multiple resource",
                                          offset: headerOffset)
                }
                record = .multipleResource(
                    id: id,
                    instances: try decode(bytes, from: valueRange.lowerBound, to: valueRange.upperBound,
                                          parent: .multipleResource))
            default:
                guard parent != .multipleResource else {
                    throw LwM2MCodecError(.malformed, "TLV resource with value inside a multiple resource",
                                          offset: headerOffset)
                }
                record = .resource(id: id, value: Array(bytes[valueRange]))
            }
            records.append(record)
        }
        return records
    }
}
