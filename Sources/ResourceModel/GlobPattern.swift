/// A shell-style name pattern: `*` matches any run of characters (also none), `?` exactly one, every other
/// character itself (case-sensitive). `sim-*` matches `sim-1` and `sim-`, not `sim`.
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern text.
    public let text: String
    private let characters: [Character]

    /// Creates a pattern.
    public init(_ text: String) {
        self.text = text
        self.characters = Array(text)
    }

    /// The pattern text.
    public var description: String { text }

    /// Whether `name` matches the whole pattern (iterative, linear backtracking over the last `*`).
    public func matches(_ name: String) -> Bool {
        let name = Array(name)
        var p = 0
        var n = 0
        var star: Int?
        var resume = 0
        while n < name.count {
            if p < characters.count, characters[p] == "?" || characters[p] == name[n], characters[p] != "*" {
                p += 1
                n += 1
            } else if p < characters.count, characters[p] == "*" {
                star = p
                resume = n
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                n = resume
            } else {
                return false
            }
        }
        while p < characters.count, characters[p] == "*" { p += 1 }
        return p == characters.count
    }
}
