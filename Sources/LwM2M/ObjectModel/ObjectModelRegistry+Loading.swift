import Foundation

extension ObjectModelRegistry {
    /// Loads every `*.xml` DDF file of each directory, directories in the given order and files by name (byte order).
    ///
    /// Put the built-in definitions first and user-supplied directories (`--object-definitions DIR`) after them:
    /// a later file may add another version of a known object, but a definition whose object id and version are
    /// already present (in `base` or from an earlier file) is skipped with a `.duplicateDefinition` diagnostic.
    /// An unreadable directory or malformed file is skipped with a diagnostic too; loading itself never fails.
    /// Hidden files (names starting with `.`) and subdirectories are not read.
    public static func load(directories: [URL], into base: ObjectModelRegistry = ObjectModelRegistry(),
                            parser: DDFParser = DDFParser())
        -> (registry: ObjectModelRegistry, diagnostics: [ObjectModelDiagnostic])
    {
        var registry = base
        var diagnostics: [ObjectModelDiagnostic] = []
        /// Where each loaded (id, version) came from, to name the earlier file in duplicate diagnostics.
        var origins: [String: String] = [:]
        for directory in directories {
            let files: [URL]
            do {
                files = try definitionFiles(in: directory)
            } catch {
                diagnostics.append(ObjectModelDiagnostic(file: directory, error: error))
                continue
            }
            for file in files {
                let definitions: [ObjectDefinition]
                do {
                    definitions = try parser.parse(contentsOf: file)
                } catch {
                    diagnostics.append(ObjectModelDiagnostic(file: file, error: error))
                    continue
                }
                for definition in definitions {
                    let originKey = "\(definition.id)@\(definition.version)"
                    if registry.insert(definition) {
                        origins[originKey] = file.lastPathComponent
                        continue
                    }
                    let earlier = registry.object(definition.id, version: definition.version)
                        .flatMap { origins["\($0.id)@\($0.version)"] } ?? "the base registry"
                    let error = ObjectDefinitionError(
                        kind: .duplicateDefinition, file: file.path,
                        message: "object \(definition.id) version \(definition.version) is already defined by "
                            + "\(earlier); this definition is skipped")
                    diagnostics.append(ObjectModelDiagnostic(file: file, error: error))
                }
            }
        }
        return (registry, diagnostics)
    }

    /// The non-hidden `*.xml` entries directly in `directory` other than subdirectories (extension matched case-insensitively),
    /// sorted by name in byte order so loading is deterministic on every platform.
    private static func definitionFiles(in directory: URL) throws(ObjectDefinitionError) -> [URL] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw ObjectDefinitionError(kind: .unreadable, file: directory.path, message: "directory does not exist")
        }
        guard isDirectory.boolValue else {
            throw ObjectDefinitionError(kind: .unreadable, file: directory.path, message: "not a directory")
        }
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw ObjectDefinitionError(kind: .unreadable, file: directory.path,
                                        message: "cannot list directory: \(error)")
        }
        return names
            .filter { !$0.hasPrefix(".") && $0.lowercased().hasSuffix(".xml") }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { directory.appendingPathComponent($0, isDirectory: false) }
            .filter { file in
                var isDirectory: ObjCBool = false
                // A dangling link stays in the list: reading it fails and yields a diagnostic rather than silence.
                return !(manager.fileExists(atPath: file.path, isDirectory: &isDirectory) && isDirectory.boolValue)
            }
    }
}
