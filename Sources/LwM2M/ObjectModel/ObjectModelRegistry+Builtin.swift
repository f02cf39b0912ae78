import Foundation

extension ObjectModelRegistry {
    /// Where the project's own definitions (`ObjectDefinitions/`) are looked for, in order:
    /// `LWM2M_OBJECT_DEFINITIONS`, `./ObjectDefinitions`, the source checkout the executable was built in
    /// (`<repo>/.build/<triple>/<config>/<exe>`), then `/usr/share/lwm2m-server/ObjectDefinitions`.
    public static func builtinDirectoryCandidates(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [URL] {
        var candidates: [URL] = []
        if let configured = environment["LWM2M_OBJECT_DEFINITIONS"], !configured.isEmpty {
            candidates.append(URL(fileURLWithPath: configured, isDirectory: true))
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("ObjectDefinitions", isDirectory: true))
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(directory.appendingPathComponent("ObjectDefinitions", isDirectory: true))
            directory = directory.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: "/usr/share/lwm2m-server/ObjectDefinitions", isDirectory: true))
        return candidates
    }

    /// The first existing built-in definitions directory, if any.
    public static func builtinDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL? {
        builtinDirectoryCandidates(environment: environment).first { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }

    /// Loads the built-in definitions plus `extraDirectories` (user-supplied OMA XML, e.g. `--object-definitions`).
    public static func loadBuiltin(
        extraDirectories: [URL] = [], environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> (registry: ObjectModelRegistry, diagnostics: [ObjectModelDiagnostic], builtinDirectory: URL?) {
        let builtin = builtinDirectory(environment: environment)
        let (registry, diagnostics) = load(directories: (builtin.map { [$0] } ?? []) + extraDirectories)
        return (registry, diagnostics, builtin)
    }
}
