/// A request body that cannot become what the route needs: where (an RFC 6901 JSON pointer into the body)
/// and why. Handlers turn it into a 400 problem with a `pointer` member.
struct NodeJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON pointer of the offending member (`""` for the whole body, `/resources/1/value`).
    var pointer: String
    /// What is wrong with it.
    var message: String

    /// Creates an error at `pointer`.
    init(pointer: String, _ message: String) {
        self.pointer = pointer
        self.message = message
    }

    /// `'<pointer>': <message>`, or the message alone for the whole body.
    var description: String {
        pointer.isEmpty ? message : "'\(pointer)': \(message)"
    }

    /// `pointer` extended by one member name or array index, escaped as RFC 6901 §4 requires.
    static func pointer(_ pointer: String, _ token: String) -> String {
        pointer + "/" + token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
