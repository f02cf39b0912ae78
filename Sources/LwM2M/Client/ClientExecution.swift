import Foundation

/// One Execute a client accepted (LwM2M 1.1 Core §6.3.5): the resource, its arguments and when it arrived.
public struct ClientExecution: Sendable, Equatable {
    /// One argument: a digit and an optional quoted value (`0='abc'`, `1`).
    public struct Argument: Sendable, Equatable {
        /// The argument number, 0...9.
        public var digit: Int
        /// The value between the quotes, or `nil` when none was given.
        public var value: String?

        /// Creates an argument.
        public init(digit: Int, value: String? = nil) {
            self.digit = digit
            self.value = value
        }
    }

    /// The executed resource.
    public var path: LwM2MPath
    /// The payload as text, `nil` when empty.
    public var arguments: String?
    /// The arguments parsed from `arguments`.
    public var parsedArguments: [Argument]
    /// When the request arrived.
    public var time: Date

    /// Creates a record.
    public init(path: LwM2MPath, arguments: String?, parsedArguments: [Argument], time: Date) {
        self.path = path
        self.arguments = arguments
        self.parsedArguments = parsedArguments
        self.time = time
    }

    /// Parses an Execute payload (LwM2M 1.1 Core §6.3.5): `arglist = argument *("," argument)`,
    /// `argument = DIGIT ["=" "'" *argchar "'"]`, `argchar` any printable ASCII but `"`, `'` and `\`.
    /// Returns `nil` when the text does not follow the grammar; an empty text has no arguments.
    public static func parseArguments(_ text: String) -> [Argument]? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return [] }
        var arguments: [Argument] = []
        var index = 0
        while true {
            guard index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else {
                return nil
            }
            var argument = Argument(digit: Int(bytes[index] - UInt8(ascii: "0")))
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "'") else { return nil }
                index += 2
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "'") {
                    guard isArgChar(bytes[index]) else { return nil }
                    index += 1
                }
                guard index < bytes.count else { return nil }
                argument.value = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
            }
            arguments.append(argument)
            if index == bytes.count { return arguments }
            guard bytes[index] == UInt8(ascii: ","), index + 1 < bytes.count else { return nil }
            index += 1
        }
    }

    /// `%x21 / %x23-26 / %x28-5B / %x5D-7E`.
    private static func isArgChar(_ byte: UInt8) -> Bool {
        byte == 0x21 || (0x23...0x26).contains(byte) || (0x28...0x5B).contains(byte) || (0x5D...0x7E).contains(byte)
    }
}
