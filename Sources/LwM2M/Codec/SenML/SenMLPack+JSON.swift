/// SenML JSON (RFC 8428 §5): a JSON array of objects with labels `bn bt bu bv bver n u t v vs vb vd` and LwM2M's
/// `vlo`. `vd` is base64url without padding (either alphabet, padded or not, is accepted). Unknown labels are
/// ignored unless they end in `_` (must-understand, RFC 8428 §4.4), which is an error. An empty payload is an
/// empty pack (as Leshan treats an empty response).
extension SenMLPack {
    /// Parses SenML JSON.
    public init(json bytes: [UInt8]) throws(LwM2MCodecError) {
        if bytes.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            self.init(records: [])
            return
        }
        guard case .array(let elements) = try JSONValue.parse(bytes) else {
            throw LwM2MCodecError(.malformed, "SenML JSON must be an array of records")
        }
        var records: [SenMLRecord] = []
        for (index, element) in elements.enumerated() {
            guard case .object(let members) = element else {
                throw LwM2MCodecError(.malformed, "SenML JSON record \(index) is a \(element.kindName), not an object")
            }
            records.append(try Self.record(members, index: index))
        }
        self.init(records: records)
    }

    private static func record(_ members: [(key: String, value: JSONValue)], index: Int) throws(LwM2MCodecError)
        -> SenMLRecord
    {
        var record = SenMLRecord()
        for (key, value) in members {
            func bad(_ expected: String) -> LwM2MCodecError {
                LwM2MCodecError(.malformed, "SenML JSON record \(index): '\(key)' must be a \(expected)")
            }
            func text() throws(LwM2MCodecError) -> String {
                guard case .string(let text) = value else { throw bad("string") }
                return text
            }
            func number() throws(LwM2MCodecError) -> WireNumber {
                guard case .number(let lexeme) = value, let number = WireNumber.fromJSONLexeme(lexeme) else {
                    throw bad("finite number")
                }
                return number
            }
            switch key {
            case "bn": record.baseName = try text()
            case "bt": record.baseTime = try number()
            case "bu": record.baseUnit = try text()
            case "bv": record.baseValue = try number()
            case "bver":
                guard case .number(let lexeme) = value, let version = Int64(lexeme) else { throw bad("integer") }
                record.baseVersion = try SenMLPack.checkedVersion(version, record: index, format: "JSON")
            case "n": record.name = try text()
            case "u": record.unit = try text()
            case "t": record.time = try number()
            case "v": record.value = try number()
            case "vs": record.stringValue = try text()
            case "vb":
                guard case .bool(let flag) = value else { throw bad("boolean") }
                record.booleanValue = flag
            case "vd":
                guard let data = Base64.decode(try text()) else { throw bad("base64url string") }
                record.dataValue = data
            case "vlo": record.objectLinkValue = try text()
            default:
                guard !key.hasSuffix("_") else {
                    throw LwM2MCodecError(
                        .malformed, "SenML JSON record \(index): must-understand label '\(key.prefix(32))' is not supported")
                }
            }
        }
        return record
    }

    /// Serializes as SenML JSON, labels in the order `bn bt bu bver bv n u t v vs vb vd vlo`. Throws
    /// `invalidValue` for a non-finite number.
    public func jsonBytes() throws(LwM2MCodecError) -> [UInt8] {
        var elements: [JSONValue] = []
        for record in records {
            var members: [(key: String, value: JSONValue)] = []
            if let text = record.baseName { members.append(("bn", .string(text))) }
            if let number = record.baseTime { members.append(("bt", .number(try number.jsonText()))) }
            if let text = record.baseUnit { members.append(("bu", .string(text))) }
            if let number = record.baseVersion { members.append(("bver", .number(String(number)))) }
            if let number = record.baseValue { members.append(("bv", .number(try number.jsonText()))) }
            if let text = record.name { members.append(("n", .string(text))) }
            if let text = record.unit { members.append(("u", .string(text))) }
            if let number = record.time { members.append(("t", .number(try number.jsonText()))) }
            if let number = record.value { members.append(("v", .number(try number.jsonText()))) }
            if let text = record.stringValue { members.append(("vs", .string(text))) }
            if let flag = record.booleanValue { members.append(("vb", .bool(flag))) }
            if let data = record.dataValue {
                members.append(("vd", .string(Base64.encode(data, urlSafe: true, padding: false))))
            }
            if let text = record.objectLinkValue { members.append(("vlo", .string(text))) }
            elements.append(.object(members))
        }
        return JSONValue.array(elements).serialized()
    }
}
