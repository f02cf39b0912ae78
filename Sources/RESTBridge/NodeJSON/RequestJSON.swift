import Foundation

/// A request body parsed as untyped JSON, so node bodies can be typed by the object model and every error
/// can name the member it is about (Foundation's `JSONSerialization` cannot tell `true` from `1` on Linux).
///
/// Numbers keep their exact integer value when they have one: an integral literal (`5`, `5.0`, `1e3`) within
/// `Int64` is `.integer`, one above `Int64.max` within `UInt64` is `.unsignedInteger`, everything else `.float`.
enum RequestJSON: Sendable, Equatable, Decodable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integral number within `Int64`.
    case integer(Int64)
    /// An integral number above `Int64.max` within `UInt64`.
    case unsignedInteger(UInt64)
    /// Any other number.
    case float(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([RequestJSON])
    /// An object; of repeated member names the decoder keeps one.
    case object([String: RequestJSON])

    /// Decodes any JSON value.
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .unsignedInteger(value)
        } else if let value = try? container.decode(Double.self) {
            self = .float(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([RequestJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: RequestJSON].self))
        }
    }

    /// Parses a whole body; throws `NodeJSONError` (pointer `""`) when it is empty or not JSON.
    static func parse(_ bytes: some Collection<UInt8>) throws(NodeJSONError) -> RequestJSON {
        guard !bytes.isEmpty else { throw NodeJSONError(pointer: "", "the request body is empty; expected JSON") }
        do {
            return try JSONDecoder().decode(RequestJSON.self, from: Data(bytes))
        } catch {
            throw NodeJSONError(pointer: "", "the request body is not valid JSON")
        }
    }

    /// The name of this value's JSON type, for messages (`"a string"`, `"a number"`).
    var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .unsignedInteger, .float: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
