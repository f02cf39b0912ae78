/// The CBOR codec (60, LwM2M 1.1 Core §7.4): one value of a single resource or resource instance as one CBOR item.
///
/// Integers as major type 0/1, unsigned integers as major type 0, floats in the shortest exact width, booleans,
/// strings and core links as text, opaque as a byte string, object links as text `"o:i"`, time as tag 1 around
/// an integer (as Leshan writes it). Decoding also accepts an untagged integer or an integral float for time.
/// For resources the model does not know, the type follows the CBOR item (as Leshan guesses it).
public struct CBORCodec: LwM2MNodeCodec {
    /// Creates the codec.
    public init() {}

    /// `ContentFormat.cbor`.
    public var format: ContentFormat { .cbor }

    /// Encodes a single resource or resource instance.
    public func encode(_ node: LwM2MNode, at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [UInt8]
    {
        let value = try SingleValueSupport.value(of: node, at: path, format: format)
        try ValueTyping.check(value, at: path, model: model)
        return Self.item(for: value).encoded()
    }

    /// The CBOR item for a value.
    static func item(for value: LwM2MValue) -> CBORValue {
        switch value {
        case .string(let text): .text(text)
        case .integer(let number): .integer(number)
        case .unsignedInteger(let number): .unsigned(number)
        case .float(let number): .float(number)
        case .boolean(let flag): .bool(flag)
        case .opaque(let bytes): .bytes(bytes)
        case .time(let seconds): .tagged(1, .integer(seconds))
        case .objlnk(let objectID, let instanceID): .text(LwM2MValue.objlnkText(objectID, instanceID))
        case .corelnk(let links): .text(LinkFormat.serialize(links))
        }
    }

    /// Decodes the value at `path`.
    public func decode(_ bytes: [UInt8], at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> LwM2MNode
    {
        try SingleValueSupport.checkDecodable(at: path, format: format, model: model)
        let item = try annotating(path) { () throws(LwM2MCodecError) in try CBORDecoder().decode(bytes) }
        let type: ResourceDataType
        if let declared = ValueTyping.declaredType(at: path, model: model) {
            type = declared
        } else {
            type = try guessType(item, at: path)
        }
        return SingleValueSupport.node(try value(of: item, as: type, at: path), at: path)
    }

    /// The data type an item suggests when the model does not know the resource.
    private func guessType(_ item: CBORValue, at path: LwM2MPath) throws(LwM2MCodecError) -> ResourceDataType {
        switch item {
        case .unsigned(let n): return n <= UInt64(Int64.max) ? .integer : .unsignedInteger
        case .negative: return .integer
        case .float: return .float
        case .bool: return .boolean
        case .text: return .string
        case .bytes: return .opaque
        case .tagged(1, _): return .time
        case .tagged, .array, .map, .null, .undefined, .simple:
            throw LwM2MCodecError(.invalidValue, "a CBOR \(item.kindName) is not a resource value", path: path)
        }
    }

    private func value(of item: CBORValue, as type: ResourceDataType, at path: LwM2MPath) throws(LwM2MCodecError)
        -> LwM2MValue
    {
        let mismatch = LwM2MCodecError(
            .typeMismatch, "resource is \(type.rawValue) but the payload is a CBOR \(item.kindName)", path: path)
        switch type {
        case .string:
            guard case .text(let text) = item else { throw mismatch }
            return try LwM2MValue.decodedString(text, at: path)
        case .integer:
            guard let number = item.int64Value else {
                if case .negative = item { throw outOfRange(type, path) }
                if case .unsigned = item { throw outOfRange(type, path) }
                throw mismatch
            }
            return .integer(number)
        case .unsignedInteger:
            if case .unsigned(let number) = item { return .unsignedInteger(number) }
            if case .negative = item { throw outOfRange(type, path) }
            throw mismatch
        case .float:
            if case .float(let number) = item { return .float(number) }
            if case .unsigned(let number) = item { return .float(Double(number)) }
            if case .negative(let number) = item { return .float(-1 - Double(number)) }
            throw mismatch
        case .boolean:
            guard case .bool(let flag) = item else { throw mismatch }
            return .boolean(flag)
        case .opaque:
            guard case .bytes(let bytes) = item else { throw mismatch }
            return .opaque(bytes)
        case .time:
            var content = item
            if case .tagged(1, let tagged) = item { content = tagged }
            if let seconds = content.int64Value { return .time(seconds) }
            if case .float(let number) = content, let seconds = WireNumber.float(number).exactInt64 {
                return .time(seconds)
            }
            throw mismatch
        case .objlnk:
            guard case .text(let text) = item else { throw mismatch }
            return try annotating(path) { () throws(LwM2MCodecError) in try LwM2MValue.parseObjlnk(text) }
        case .corelnk:
            guard case .text(let text) = item else { throw mismatch }
            return try annotating(path) { () throws(LwM2MCodecError) in try LwM2MValue.parseCorelnk(text) }
        case .none:
            throw LwM2MCodecError(.typeMismatch, "resource is executable and has no value", path: path)
        }
    }

    private func outOfRange(_ type: ResourceDataType, _ path: LwM2MPath) -> LwM2MCodecError {
        LwM2MCodecError(.invalidValue, "integer out of range for \(type.rawValue)", path: path)
    }
}
