import Foundation

/// A definition file (or directory) the loader skipped, and why; loading carries on with the other files.
public struct ObjectModelDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// The skipped file, or the directory that could not be listed.
    public var file: URL
    /// The reason, naming the same file.
    public var error: ObjectDefinitionError

    /// Creates a diagnostic.
    public init(file: URL, error: ObjectDefinitionError) {
        self.file = file
        self.error = error
    }

    /// The skipped file's name without its directory, e.g. `3-device.xml`.
    public var fileName: String { file.lastPathComponent }

    /// The reason as text, without the file name.
    public var reason: String { error.message }

    /// `path:line: reason`, suitable for a log line.
    public var description: String { error.description }
}
