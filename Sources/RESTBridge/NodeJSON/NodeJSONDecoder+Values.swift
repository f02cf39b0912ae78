import Foundation
import LwM2M

extension NodeJSONDecoder {
    /// The value `json` holds as a `type` value of the resource (instance) at `path`; `pointer` locates it.
    ///
    /// Accepted: string → JSON string; integer, unsignedInteger → JSON integers in range; float → any JSON
    /// number (or `"NaN"`, `"Infinity"`, `"-Infinity"`); boolean → `true`/`false`; opaque → base64 string;
    /// time → ISO 8601 string with a time zone (fractions of a second dropped) or integer epoch seconds;
    /// objlnk → `"objectID:instanceID"`; corelnk → a link-format string.
    func value(_ json: RequestJSON?, type: ResourceDataType, at path: LwM2MPath, pointer: String)
        throws(NodeJSONError) -> LwM2MValue
    {
        guard let json else { throw NodeJSONError(pointer: pointer, "missing value") }
        func fail(_ expected: String) -> NodeJSONError {
            NodeJSONError(pointer: pointer, "expected \(expected) for \(type.rawValue) resource \(path), got \(json.typeDescription)")
        }
        func outOfRange(_ range: String) -> NodeJSONError {
            NodeJSONError(pointer: pointer, "\(Self.numberText(json)) is out of range for \(type.rawValue) resource \(path) (\(range))")
        }
        switch type {
        case .string:
            guard case .string(let text) = json else { throw fail("a JSON string") }
            return .string(text)
        case .integer:
            switch json {
            case .integer(let number): return .integer(number)
            case .unsignedInteger: throw outOfRange("-2^63...2^63-1")
            case .float(let number) where number == number.rounded(): throw outOfRange("-2^63...2^63-1")
            default: throw fail("an integer")
            }
        case .unsignedInteger:
            switch json {
            case .integer(let number) where number >= 0: return .unsignedInteger(UInt64(number))
            case .integer: throw outOfRange("0...2^64-1")
            case .unsignedInteger(let number): return .unsignedInteger(number)
            case .float(let number) where number == number.rounded(): throw outOfRange("0...2^64-1")
            default: throw fail("an unsigned integer")
            }
        case .float:
            switch json {
            case .integer(let number): return .float(Double(number))
            case .unsignedInteger(let number): return .float(Double(number))
            case .float(let number): return .float(number)
            case .string("NaN"): return .float(.nan)
            case .string("Infinity"): return .float(.infinity)
            case .string("-Infinity"): return .float(-.infinity)
            default: throw fail("a number")
            }
        case .boolean:
            guard case .bool(let flag) = json else { throw fail("true or false") }
            return .boolean(flag)
        case .opaque:
            guard case .string(let text) = json else { throw fail("a base64 string") }
            guard let bytes = Self.base64(text) else {
                throw NodeJSONError(pointer: pointer, "'\(text.prefix(32))' is not base64 (RFC 4648 §4)")
            }
            return .opaque(bytes)
        case .time:
            switch json {
            case .integer(let seconds): return .time(seconds)
            case .unsignedInteger: throw outOfRange("-2^63...2^63-1 seconds")
            case .string(let text):
                guard let date = Self.isoDate(text) else {
                    throw NodeJSONError(
                        pointer: pointer, "'\(text.prefix(40))' is not an ISO 8601 instant like 2026-11-23T01:02:03Z")
                }
                return .time(date)
            default: throw fail("an ISO 8601 string or integer epoch seconds")
            }
        case .objlnk:
            guard case .string(let text) = json else { throw fail("a string 'objectID:instanceID'") }
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, let objectID = Self.decimalID(parts[0]), let instanceID = Self.decimalID(parts[1]) else {
                throw NodeJSONError(pointer: pointer, "'\(text.prefix(32))' is not an object link 'objectID:instanceID'")
            }
            return .objlnk(objectID: objectID, instanceID: instanceID)
        case .corelnk:
            guard case .string(let text) = json else { throw fail("a link-format string") }
            do {
                return .corelnk(try LinkFormat.parse(text))
            } catch {
                throw NodeJSONError(pointer: pointer, error.description)
            }
        case .none:
            throw NodeJSONError(pointer: pointer, "resource \(path) is executable and has no value")
        }
    }

    /// A number as it was written, for messages.
    private static func numberText(_ json: RequestJSON) -> String {
        switch json {
        case .integer(let number): String(number)
        case .unsignedInteger(let number): String(number)
        case .float(let number): String(number)
        case .null, .bool, .string, .array, .object: json.typeDescription
        }
    }

    /// Standard base64 with or without padding; `nil` otherwise.
    private static func base64(_ text: String) -> [UInt8]? {
        var padded = text
        if padded.utf8.count % 4 != 0 { padded += String(repeating: "=", count: 4 - padded.utf8.count % 4) }
        return Data(base64Encoded: padded).map { Array($0) }
    }

    /// An ISO 8601 date-time with a time zone (`Z` or an offset), with or without fractional seconds.
    private static func isoDate(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }
}
