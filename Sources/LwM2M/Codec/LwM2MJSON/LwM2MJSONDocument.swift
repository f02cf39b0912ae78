/// The wire model of LwM2M JSON (11543, LwM2M 1.0 Core §6.4.4):
/// `{"bn":"/3/0/","bt":…,"e":[{"n":"0","sv":"…"},{"n":"1","v":1.0},{"n":"9","bv":true},{"n":"x","ov":"3:0"}]}`.
/// `e` is required; `bn` and `bt` are optional; each entry has an optional `n` and `t` and exactly one of
/// `v`, `sv`, `bv`, `ov`.
struct LwM2MJSONDocument: Sendable {
    /// One element of `e`.
    struct Entry: Sendable {
        /// `n`, relative to `bn`.
        var name: String?
        /// `t`, relative to `bt`.
        var time: WireNumber?
        /// The single value of `v`, `sv`, `bv` or `ov`.
        var value: RawValue
    }

    /// `bn`.
    var baseName: String?
    /// `bt`.
    var baseTime: WireNumber?
    /// `e`.
    var entries: [Entry]

    /// Parses a document; throws `malformed` for anything outside the shape above (unknown labels are ignored).
    init(bytes: [UInt8]) throws(LwM2MCodecError) {
        guard let members = try JSONValue.parse(bytes).objectMembers else {
            throw LwM2MCodecError(.malformed, "LwM2M JSON must be an object")
        }
        if let value = members["bn"] {
            guard case .string(let text) = value else { throw Self.bad("bn", "string") }
            baseName = text
        }
        if let value = members["bt"] { baseTime = try Self.number(value, "bt") }
        guard case .array(let elements)? = members["e"] else { throw Self.bad("e", "array") }
        var entries: [Entry] = []
        for element in elements {
            guard let entry = element.objectMembers else { throw Self.bad("e", "array of objects") }
            var name: String?
            if let value = entry["n"] {
                guard case .string(let text) = value else { throw Self.bad("n", "string") }
                name = text
            }
            var time: WireNumber?
            if let value = entry["t"] { time = try Self.number(value, "t") }
            var values: [RawValue] = []
            if let value = entry["v"] { values.append(.number(try Self.number(value, "v"))) }
            if let value = entry["sv"] {
                guard case .string(let text) = value else { throw Self.bad("sv", "string") }
                values.append(.string(text))
            }
            if let value = entry["bv"] {
                guard case .bool(let flag) = value else { throw Self.bad("bv", "boolean") }
                values.append(.boolean(flag))
            }
            if let value = entry["ov"] {
                guard case .string(let text) = value else { throw Self.bad("ov", "string") }
                values.append(.objlnk(text))
            }
            guard values.count == 1 else {
                throw LwM2MCodecError(
                    .malformed, "LwM2M JSON entry '\((name ?? "").prefix(32))' has \(values.count) values, expected 1")
            }
            entries.append(Entry(name: name, time: time, value: values[0]))
        }
        self.entries = entries
    }

    /// Creates a document.
    init(baseName: String?, baseTime: WireNumber?, entries: [Entry]) {
        self.baseName = baseName
        self.baseTime = baseTime
        self.entries = entries
    }

    private static func number(_ value: JSONValue, _ label: String) throws(LwM2MCodecError) -> WireNumber {
        guard case .number(let lexeme) = value, let number = WireNumber.fromJSONLexeme(lexeme) else {
            throw bad(label, "finite number")
        }
        return number
    }

    private static func bad(_ label: String, _ expected: String) -> LwM2MCodecError {
        LwM2MCodecError(.malformed, "LwM2M JSON: '\(label)' must be a \(expected)")
    }

    /// Serializes with members in the order `bn`, `e`, `bt` and entry members `n`, value, `t`.
    func bytes() throws(LwM2MCodecError) -> [UInt8] {
        var members: [(key: String, value: JSONValue)] = []
        if let baseName { members.append(("bn", .string(baseName))) }
        var elements: [JSONValue] = []
        for entry in entries {
            var entryMembers: [(key: String, value: JSONValue)] = []
            if let name = entry.name { entryMembers.append(("n", .string(name))) }
            switch entry.value {
            case .number(let number): entryMembers.append(("v", .number(try number.jsonText())))
            case .string(let text): entryMembers.append(("sv", .string(text)))
            case .boolean(let flag): entryMembers.append(("bv", .bool(flag)))
            case .objlnk(let text): entryMembers.append(("ov", .string(text)))
            case .bytes(let data):
                entryMembers.append(("sv", .string(Base64.encode(data, urlSafe: false, padding: true))))
            }
            if let time = entry.time { entryMembers.append(("t", .number(try time.jsonText()))) }
            elements.append(.object(entryMembers))
        }
        members.append(("e", .array(elements)))
        if let baseTime { members.append(("bt", .number(try baseTime.jsonText()))) }
        return JSONValue.object(members).serialized()
    }
}
