/// Why an object definition (OMA DDF XML) file was rejected; the file is skipped, the others still load.
public struct ObjectDefinitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of problem.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The file or directory could not be read.
        case unreadable
        /// The content is not well-formed XML (includes truncated and empty files).
        case malformedXML
        /// Well-formed XML, but not a DDF document (root is not `<LWM2M>` or it holds no `<Object>`).
        case notDDF
        /// A required element or attribute is absent.
        case missingElement
        /// `<ObjectID>` is not an integer in 0...65535.
        case invalidObjectID
        /// An `<Item ID=...>` is not an integer in 0...65535, or repeats within one object.
        case invalidResourceID
        /// An element holds a value outside its vocabulary (unknown `<Type>`, `<Operations>`, version, ...) or repeats.
        case invalidValue
        /// The same object id and version was already loaded from an earlier file.
        case duplicateDefinition
    }

    /// The class of problem.
    public var kind: Kind
    /// The file (or directory) the problem is in, as given to the parser or loader.
    public var file: String
    /// The 1-based line the problem was detected at, when known.
    public var line: Int?
    /// A human-readable explanation.
    public var message: String

    /// Creates an error.
    public init(kind: Kind, file: String, line: Int? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`, e.g. `3-device.xml:12: <Item> ID "x" is not a resource id`.
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
