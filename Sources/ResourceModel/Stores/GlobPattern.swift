import Glibc

/// A shell-style name pattern, matched by `fnmatch(3)` without flags: `*` matches any run of characters (also
/// none), `?` exactly one, `[...]` one of a set, `\` quotes the next character; everything else matches itself
/// (case-sensitive). `sim-*` matches `sim-1` and `sim-`, not `sim`.
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern text.
    public let text: String

    /// Creates a pattern.
    public init(_ text: String) {
        self.text = text
    }

    /// The pattern text.
    public var description: String { text }

    /// Whether `name` matches the whole pattern.
    public func matches(_ name: String) -> Bool {
        fnmatch(text, name, 0) == 0
    }
}
