/// The plain-text codec (0, LwM2M 1.1 Core §7.4.1): one value of a single resource or resource instance.
///
/// Strings and core links as UTF-8; integers, unsigned integers and time as decimal; floats as decimal with an
/// optional exponent; booleans as `0`/`1`; object links as `o:i`; opaque as base64. Values of resources the model
/// does not know decode as strings.
public struct TextCodec: LwM2MNodeCodec {
    /// Creates the codec.
    public init() {}

    /// `ContentFormat.text`.
    public var format: ContentFormat { .text }

    /// Encodes a single resource or resource instance.
    public func encode(_ node: LwM2MNode, at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [UInt8]
    {
        let value = try SingleValueSupport.value(of: node, at: path, format: format)
        try ValueTyping.check(value, at: path, model: model)
        switch value {
        case .string(let text): return Array(text.utf8)
        case .integer(let number), .time(let number): return Array(String(number).utf8)
        case .unsignedInteger(let number): return Array(String(number).utf8)
        case .float(let number):
            return Array(try annotating(path) { () throws(LwM2MCodecError) in try LwM2MValue.floatText(number) }.utf8)
        case .boolean(let flag): return [flag ? UInt8(ascii: "1") : UInt8(ascii: "0")]
        case .opaque(let bytes): return Array(Base64.encode(bytes, urlSafe: false, padding: true).utf8)
        case .objlnk(let objectID, let instanceID): return Array(LwM2MValue.objlnkText(objectID, instanceID).utf8)
        case .corelnk(let links): return Array(LinkFormat.serialize(links).utf8)
        }
    }

    /// Decodes the value of the resource or resource instance at `path`.
    public func decode(_ bytes: [UInt8], at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> LwM2MNode
    {
        try SingleValueSupport.checkDecodable(at: path, format: format, model: model)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw LwM2MCodecError(.malformed, "plain-text payload is not UTF-8", path: path)
        }
        let value = try parse(text, as: ValueTyping.declaredType(at: path, model: model) ?? .string, at: path)
        return SingleValueSupport.node(value, at: path)
    }

    private func parse(_ text: String, as type: ResourceDataType, at path: LwM2MPath) throws(LwM2MCodecError)
        -> LwM2MValue
    {
        let invalid = LwM2MCodecError(.invalidValue, "'\(text.prefix(64))' is not a valid \(type.rawValue)", path: path)
        switch type {
        case .string:
            return try LwM2MValue.decodedString(text, at: path)
        case .integer:
            guard isDecimalInteger(text, signed: true), let number = Int64(text) else { throw invalid }
            return .integer(number)
        case .time:
            guard isDecimalInteger(text, signed: true), let number = Int64(text) else { throw invalid }
            return .time(number)
        case .unsignedInteger:
            guard isDecimalInteger(text, signed: false), let number = UInt64(text) else { throw invalid }
            return .unsignedInteger(number)
        case .float:
            guard isDecimalFloat(text), let number = Double(text), number.isFinite else { throw invalid }
            return .float(number)
        case .boolean:
            switch text {
            case "0": return .boolean(false)
            case "1": return .boolean(true)
            default: throw invalid
            }
        case .opaque:
            guard let bytes = Base64.decode(text) else { throw invalid }
            return .opaque(bytes)
        case .objlnk:
            return try annotating(path) { () throws(LwM2MCodecError) in try LwM2MValue.parseObjlnk(text) }
        case .corelnk:
            return try annotating(path) { () throws(LwM2MCodecError) in try LwM2MValue.parseCorelnk(text) }
        case .none:
            throw LwM2MCodecError(.typeMismatch, "resource is executable and has no value", path: path)
        }
    }

    /// `-?[0-9]+` (no sign when unsigned); Swift's parsers also accept `+`, which the spec does not.
    private func isDecimalInteger(_ text: String, signed: Bool) -> Bool {
        var digits = Substring(text)
        if signed, digits.hasPrefix("-") { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// `-?[0-9]+(.[0-9]+)?([eE][+-]?[0-9]+)?`: excludes `inf`, `nan` and hexadecimal floats that `Double(_:)` accepts.
    private func isDecimalFloat(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        func digits() -> Bool {
            let start = bytes.startIndex
            while let byte = bytes.first, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { bytes.removeFirst() }
            return bytes.startIndex > start
        }
        if bytes.first == UInt8(ascii: "-") { bytes.removeFirst() }
        guard digits() else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes.removeFirst()
            guard digits() else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes.removeFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes.removeFirst() }
            guard digits() else { return false }
        }
        return bytes.isEmpty
    }
}
