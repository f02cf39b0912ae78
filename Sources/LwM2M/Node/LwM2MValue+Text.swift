/// Textual forms of values shared by the plain-text, LwM2M JSON, SenML and CBOR codecs (LwM2M 1.1 Core §7.4.1).
extension LwM2MValue {
    /// `"3:0"` for an object link (LwM2M 1.1 Core §7.4.1: two decimal 16-bit ids separated by `:`).
    static func objlnkText(_ objectID: UInt16, _ instanceID: UInt16) -> String {
        "\(objectID):\(instanceID)"
    }

    /// Parses `"3:0"`; throws `invalidValue` otherwise.
    static func parseObjlnk(_ text: String) throws(LwM2MCodecError) -> LwM2MValue {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let objectID = parseDecimalUInt16(parts[0]),
            let instanceID = parseDecimalUInt16(parts[1])
        else {
            throw LwM2MCodecError(.invalidValue, "'\(text.prefix(64))' is not an object link 'objectID:instanceID'")
        }
        return .objlnk(objectID: objectID, instanceID: instanceID)
    }

    /// Parses an unsigned decimal of 1 to 5 digits, at most 65535.
    private static func parseDecimalUInt16(_ text: Substring) -> UInt16? {
        guard !text.isEmpty, text.utf8.count <= 5,
            text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return UInt16(text)
    }

    /// Parses a link-format value; throws `invalidValue` when it is not RFC 6690.
    static func parseCorelnk(_ text: String) throws(LwM2MCodecError) -> LwM2MValue {
        do {
            return .corelnk(try LinkFormat.parse(text))
        } catch {
            throw LwM2MCodecError(.invalidValue, "core link value: \(error.description)", offset: error.offset)
        }
    }

    /// The shortest decimal text that parses back to `value`; throws for NaN and infinities, which no text
    /// format of LwM2M can carry.
    static func floatText(_ value: Double) throws(LwM2MCodecError) -> String {
        guard value.isFinite else {
            throw LwM2MCodecError(.invalidValue, "\(value) cannot be represented in a text or JSON format")
        }
        return value.description
    }
}

extension LwM2MValue {
    /// A String value decoded from a device's payload. U+0000 is refused (`invalidValue`): no LwM2M client means
    /// it (it is a C string's terminator leaking into the payload), and a store that reads text as C strings would
    /// keep only what comes before it.
    static func decodedString(_ text: String, at path: LwM2MPath) throws(LwM2MCodecError) -> LwM2MValue {
        guard !text.utf8.contains(0) else {
            throw LwM2MCodecError(.invalidValue, "string value contains U+0000 (NUL)", path: path)
        }
        return .string(text)
    }
}
