/// The single error type of paths, nodes and codecs: a kind, a human-readable message,
/// and where known the LwM2M path and the byte offset the problem was found at.
public struct LwM2MCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What class of problem occurred.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// A path string or id is not a valid LwM2M path (ids out of range, bad syntax).
        case invalidPath
        /// No codec is registered for the content format, or the codec does not offer the operation.
        case unsupportedContentFormat
        /// The content format cannot carry this kind of node (LwM2M 1.1 Core §7.4).
        case unsupportedNode
        /// The bytes are not well-formed for the content format (truncated, bad syntax, trailing bytes, too deep).
        case malformed
        /// A value's type does not match the resource's type in the object model.
        case typeMismatch
        /// A value is well-formed but not acceptable (out of range, bad base64, bad object link, non-finite number).
        case invalidValue
        /// Two objects, instances or resources with the same id in one payload or node.
        case duplicateID
        /// The content does not address the requested path, or mixes single and multiple instances of a resource.
        case pathMismatch
    }

    /// What class of problem occurred.
    public let kind: Kind
    /// What went wrong, for logs and problem reports.
    public let message: String
    /// The LwM2M path concerned, when known.
    public let path: LwM2MPath?
    /// The byte offset in the payload where the problem was detected, when known.
    public let offset: Int?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, path: LwM2MPath? = nil, offset: Int? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
        self.offset = offset
    }

    /// `kind: message (path, offset)` for logs.
    public var description: String {
        var text = "\(kind.rawValue): \(message)"
        if let path { text += " [path \(path)]" }
        if let offset { text += " [offset \(offset)]" }
        return text
    }

    /// The same error with `path` filled in when it was not known where it was thrown.
    func at(_ path: LwM2MPath) -> LwM2MCodecError {
        self.path == nil ? LwM2MCodecError(kind, message, path: path, offset: offset) : self
    }
}

/// Runs `body`, filling `path` into an error that did not name one.
func annotating<T>(_ path: LwM2MPath, _ body: () throws(LwM2MCodecError) -> T) throws(LwM2MCodecError) -> T {
    do throws(LwM2MCodecError) {
        return try body()
    } catch {
        throw error.at(path)
    }
}
