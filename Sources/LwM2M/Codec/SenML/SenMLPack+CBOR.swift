/// SenML CBOR (RFC 8428 §6): a CBOR array of maps keyed by the integer labels bver -1, bn -2, bt -3, bu -4,
/// bv -5, n 0, u 1, v 2, vs 3, vb 4, t 6, vd 8, and by the text label `"vlo"` for LwM2M object links, which has
/// no integer label (LwM2M 1.1 Core §7.4.6). Text keys of the registered labels are accepted too; other labels
/// are ignored unless they are text ending in `_`. An empty payload is an empty pack.
extension SenMLPack {
    /// Parses SenML CBOR.
    public init(cbor bytes: [UInt8]) throws(LwM2MCodecError) {
        if bytes.isEmpty {
            self.init(records: [])
            return
        }
        guard case .array(let items) = try CBORDecoder().decode(bytes) else {
            throw LwM2MCodecError(.malformed, "SenML CBOR must be an array of records")
        }
        var records: [SenMLRecord] = []
        for (index, item) in items.enumerated() {
            guard case .map(let entries) = item else {
                throw LwM2MCodecError(.malformed, "SenML CBOR record \(index) is a \(item.kindName), not a map")
            }
            records.append(try Self.record(entries, index: index))
        }
        self.init(records: records)
    }

    /// The JSON label for a CBOR key, `nil` for a key to ignore.
    private static func label(of key: CBORValue, index: Int) throws(LwM2MCodecError) -> String? {
        if case .text(let text) = key {
            if text.hasSuffix("_") {
                throw LwM2MCodecError(
                    .malformed, "SenML CBOR record \(index): must-understand label '\(text.prefix(32))' is not supported")
            }
            return text
        }
        switch key.int64Value {
        case -1: return "bver"
        case -2: return "bn"
        case -3: return "bt"
        case -4: return "bu"
        case -5: return "bv"
        case 0: return "n"
        case 1: return "u"
        case 2: return "v"
        case 3: return "vs"
        case 4: return "vb"
        case 6: return "t"
        case 8: return "vd"
        default: return nil
        }
    }

    private static func record(_ entries: [CBORMapEntry], index: Int) throws(LwM2MCodecError) -> SenMLRecord {
        var record = SenMLRecord()
        var seen: Set<String> = []
        for entry in entries {
            guard let label = try label(of: entry.key, index: index) else { continue }
            guard seen.insert(label).inserted else {
                throw LwM2MCodecError(.malformed, "SenML CBOR record \(index): label '\(label.prefix(32))' repeated")
            }
            let value = entry.value
            func bad(_ expected: String) -> LwM2MCodecError {
                LwM2MCodecError(.malformed, "SenML CBOR record \(index): '\(label)' must be a \(expected)")
            }
            func text() throws(LwM2MCodecError) -> String {
                guard case .text(let text) = value else { throw bad("text string") }
                return text
            }
            func number() throws(LwM2MCodecError) -> WireNumber {
                guard let number = try Self.number(value, index: index, label: label) else { throw bad("number") }
                return number
            }
            switch label {
            case "bn": record.baseName = try text()
            case "bt": record.baseTime = try number()
            case "bu": record.baseUnit = try text()
            case "bv": record.baseValue = try number()
            case "bver":
                guard let version = value.int64Value else { throw bad("integer") }
                record.baseVersion = try SenMLPack.checkedVersion(version, record: index, format: "CBOR")
            case "n": record.name = try text()
            case "u": record.unit = try text()
            case "t": record.time = try number()
            case "v": record.value = try number()
            case "vs": record.stringValue = try text()
            case "vb":
                guard case .bool(let flag) = value else { throw bad("boolean") }
                record.booleanValue = flag
            case "vd":
                guard case .bytes(let data) = value else { throw bad("byte string") }
                record.dataValue = data
            case "vlo": record.objectLinkValue = try text()
            default: continue
            }
        }
        return record
    }

    /// The number of an integer or float item, `nil` for other items.
    private static func number(_ item: CBORValue, index: Int, label: String) throws(LwM2MCodecError) -> WireNumber? {
        switch item {
        case .unsigned(let n): return .fromUnsigned(n)
        case .negative(let n):
            guard n <= UInt64(Int64.max) else {
                throw LwM2MCodecError(.invalidValue, "SenML CBOR record \(index): '\(label)' below -2^63")
            }
            return .integer(~Int64(n))
        case .float(let value):
            guard value.isFinite else {
                throw LwM2MCodecError(.invalidValue, "SenML CBOR record \(index): '\(label)' is not finite")
            }
            return .float(value)
        case .bytes, .text, .array, .map, .tagged, .bool, .null, .undefined, .simple:
            return nil
        }
    }

    /// Serializes as SenML CBOR with integer labels in the order `bn bt bu bver bv n u t v vs vb vd vlo`.
    public func cborBytes() -> [UInt8] {
        CBORValue.array(records.map { record in
            var entries: [CBORMapEntry] = []
            if let text = record.baseName { entries.append(CBORMapEntry(.integer(-2), .text(text))) }
            if let number = record.baseTime { entries.append(CBORMapEntry(.integer(-3), Self.item(number))) }
            if let text = record.baseUnit { entries.append(CBORMapEntry(.integer(-4), .text(text))) }
            if let number = record.baseVersion { entries.append(CBORMapEntry(.integer(-1), .integer(number))) }
            if let number = record.baseValue { entries.append(CBORMapEntry(.integer(-5), Self.item(number))) }
            if let text = record.name { entries.append(CBORMapEntry(.integer(0), .text(text))) }
            if let text = record.unit { entries.append(CBORMapEntry(.integer(1), .text(text))) }
            if let number = record.time { entries.append(CBORMapEntry(.integer(6), Self.item(number))) }
            if let number = record.value { entries.append(CBORMapEntry(.integer(2), Self.item(number))) }
            if let text = record.stringValue { entries.append(CBORMapEntry(.integer(3), .text(text))) }
            if let flag = record.booleanValue { entries.append(CBORMapEntry(.integer(4), .bool(flag))) }
            if let data = record.dataValue { entries.append(CBORMapEntry(.integer(8), .bytes(data))) }
            if let text = record.objectLinkValue { entries.append(CBORMapEntry(.text("vlo"), .text(text))) }
            return .map(entries)
        }).encoded()
    }

    private static func item(_ number: WireNumber) -> CBORValue {
        switch number {
        case .integer(let value): .integer(value)
        case .unsigned(let value): .unsigned(value)
        case .float(let value): .float(value)
        }
    }
}
