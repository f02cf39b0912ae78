/// One link of a CoRE link-format document (RFC 6690 §2): a target and its parameters.
public struct WebLink: Sendable, Hashable {
    /// The link target as written between `<` and `>` (e.g. `/3/0`).
    public var target: String
    /// The link parameters in document order; a parameter written without `=` has a `nil` value.
    public var parameters: [LinkParameter]

    /// Creates a link from its target and parameters.
    public init(target: String, parameters: [LinkParameter] = []) {
        self.target = target
        self.parameters = parameters
    }

    /// The value of the first parameter named `name` (`""` for a parameter present without a value), or `nil` when absent.
    public subscript(name: String) -> String? {
        guard let parameter = parameters.first(where: { $0.name == name }) else { return nil }
        return parameter.value ?? ""
    }

    /// Whether a parameter named `name` is present, with or without a value.
    public func hasParameter(_ name: String) -> Bool {
        parameters.contains { $0.name == name }
    }
}

/// One `name[=value]` link parameter (RFC 6690 §2 `link-param`).
public struct LinkParameter: Sendable, Hashable {
    /// The parameter name (`parmname`).
    public var name: String
    /// The unquoted value, or `nil` when the parameter was written without `=`.
    public var value: String?
    /// Whether the value was written as a quoted string (`rt="oma.lwm2m"`).
    public var quoted: Bool

    /// Creates a parameter.
    public init(name: String, value: String? = nil, quoted: Bool = false) {
        self.name = name
        self.value = value
        self.quoted = quoted
    }
}

/// Parser and serializer for CoRE link format (RFC 6690), content format 40.
///
/// The parser is strict where LwM2M payloads need it (every link starts with `<`, targets end with `>`,
/// quoted strings are closed, parameter names are tokens) and tolerant of optional white space around separators.
public enum LinkFormat {
    /// Why a link-format document was rejected.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The offset (in UTF-8 bytes) at which parsing failed.
        public let offset: Int
        /// What was wrong there.
        public let reason: String

        public var description: String { "invalid link format at byte \(offset): \(reason)" }
    }

    /// Parses a link-format document into its links (RFC 6690 §2). An empty document has no links.
    public static func parse(_ text: String) throws(ParseError) -> [WebLink] {
        var parser = Parser(bytes: Array(text.utf8))
        return try parser.parseDocument()
    }

    /// Parses link-format bytes, which must be UTF-8.
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> [WebLink] {
        var parser = Parser(bytes: bytes)
        return try parser.parseDocument()
    }

    /// Serializes links back into a link-format document.
    public static func serialize(_ links: [WebLink]) -> String {
        links.map { link in
            var out = "<\(link.target)>"
            for parameter in link.parameters {
                out += ";" + parameter.name
                if let value = parameter.value {
                    if parameter.quoted || value.isEmpty || !value.allSatisfy(isPTokenCharacter) {
                        out += "=\"" + value.replacingOccurrences(of: "\\", with: "\\\\")
                            .replacingOccurrences(of: "\"", with: "\\\"") + "\""
                    } else {
                        out += "=" + value
                    }
                }
            }
            return out
        }.joined(separator: ",")
    }

    static func isPTokenCharacter(_ c: Character) -> Bool {
        guard let ascii = c.asciiValue else { return false }
        return Parser.isPTokenByte(ascii)
    }

    /// A hand-written recursive-descent parser over the document bytes.
    struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func parseDocument() throws(ParseError) -> [WebLink] {
            guard String(validating: bytes, as: UTF8.self) != nil else {
                throw ParseError(offset: 0, reason: "not UTF-8")
            }
            skipWhitespace()
            if index == bytes.count { return [] }
            var links: [WebLink] = []
            while true {
                links.append(try parseLink())
                skipWhitespace()
                if index == bytes.count { return links }
                guard bytes[index] == UInt8(ascii: ",") else {
                    throw ParseError(offset: index, reason: "expected ',' between links")
                }
                index += 1
                skipWhitespace()
            }
        }

        mutating func parseLink() throws(ParseError) -> WebLink {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else {
                throw ParseError(offset: index, reason: "expected '<' at the start of a link")
            }
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: ">") {
                let byte = bytes[index]
                if byte == UInt8(ascii: "<") || byte == UInt8(ascii: ",") || byte < 0x21 {
                    throw ParseError(offset: index, reason: "invalid character in link target")
                }
                index += 1
            }
            guard index < bytes.count else {
                throw ParseError(offset: start - 1, reason: "unterminated link target")
            }
            let target = String(decoding: bytes[start..<index], as: UTF8.self)
            index += 1
            var parameters: [LinkParameter] = []
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ";") else { break }
                index += 1
                skipWhitespace()
                parameters.append(try parseParameter())
            }
            return WebLink(target: target, parameters: parameters)
        }

        mutating func parseParameter() throws(ParseError) -> LinkParameter {
            let start = index
            while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
            guard index > start else {
                throw ParseError(offset: index, reason: "expected a parameter name")
            }
            let name = String(decoding: bytes[start..<index], as: UTF8.self)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                return LinkParameter(name: name)
            }
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                return LinkParameter(name: name, value: try parseQuoted(), quoted: true)
            }
            let valueStart = index
            while index < bytes.count, Self.isPTokenByte(bytes[index]) { index += 1 }
            guard index > valueStart else {
                throw ParseError(offset: index, reason: "expected a value for parameter '\(name)'")
            }
            return LinkParameter(name: name, value: String(decoding: bytes[valueStart..<index], as: UTF8.self))
        }

        mutating func parseQuoted() throws(ParseError) -> String {
            let open = index
            index += 1
            var value: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\\") {
                    guard index + 1 < bytes.count else { break }
                    value.append(bytes[index + 1])
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return String(decoding: value, as: UTF8.self)
                }
                value.append(byte)
                index += 1
            }
            throw ParseError(offset: open, reason: "unterminated quoted string")
        }

        mutating func skipWhitespace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09
                || bytes[index] == 0x0A || bytes[index] == 0x0D
            {
                index += 1
            }
        }

        /// RFC 5987 `parmname` characters (attr-char minus `*`), RFC 6690 §2.
        static func isNameByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "&"),
                UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"),
                UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                return true
            default:
                return false
            }
        }

        /// RFC 6690 `ptoken` characters.
        static func isPTokenByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
                UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
                UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "<"), UInt8(ascii: "="),
                UInt8(ascii: ">"), UInt8(ascii: "?"), UInt8(ascii: "@"), UInt8(ascii: "["),
                UInt8(ascii: "]"), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
                UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
                return true
            default:
                return false
            }
        }
    }
}
