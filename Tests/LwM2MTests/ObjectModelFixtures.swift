import Foundation
import Testing

/// Locates the reference data next to the repository and builds small DDF documents and scratch directories.
enum ObjectModelFixtures {
    /// The ancestors of this source file, nearest first.
    private static func ancestors(of filePath: String = #filePath) -> [URL] {
        var directories: [URL] = []
        var url = URL(fileURLWithPath: filePath).deletingLastPathComponent().standardizedFileURL
        while url.path != "/" {
            directories.append(url)
            url = url.deletingLastPathComponent().standardizedFileURL
        }
        directories.append(url)
        return directories
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// `shared/oma-objects` of the reference data: the first ancestor of this file holding `shared/oma-objects/all`
    /// (`<repo>/../shared` in the project, `/work/shared` when running from the staging package).
    static func omaObjectsDirectory() throws -> URL {
        let found = ancestors().lazy
            .map { $0.appendingPathComponent("shared/oma-objects") }
            .first { isDirectory($0.appendingPathComponent("all")) }
        return try #require(found, "no shared/oma-objects/all next to any ancestor of \(#filePath)")
    }

    /// `<repo>/ObjectDefinitions`: an ancestor's `ObjectDefinitions` beside a `Package.swift`, else the same in a
    /// sibling of an ancestor (the staging package finds the main repository this way).
    static func projectDefinitionsDirectory() throws -> URL {
        func definitions(in root: URL) -> URL? {
            let candidate = root.appendingPathComponent("ObjectDefinitions")
            let package = root.appendingPathComponent("Package.swift")
            return isDirectory(candidate) && FileManager.default.fileExists(atPath: package.path) ? candidate : nil
        }
        let all = ancestors()
        if let direct = all.lazy.compactMap(definitions).first { return direct }
        for ancestor in all {
            let children = (try? FileManager.default.contentsOfDirectory(atPath: ancestor.path)) ?? []
            for child in children.sorted() {
                if let found = definitions(in: ancestor.appendingPathComponent(child)) { return found }
            }
        }
        return try #require(nil as URL?, "no <repo>/ObjectDefinitions found from \(#filePath)")
    }

    /// A minimal DDF document holding one object with the given resource `<Item>` elements.
    static func ddf(objectID: String = "42", name: String = "Test Object", version: String? = "1.0",
                    items: [String] = [item(id: "0")]) -> String {
        let versionElement = version.map { "<ObjectVersion>\($0)</ObjectVersion>" } ?? ""
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <LWM2M xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
              <Object ObjectType="MODefinition">
                <Name>\(name)</Name>
                <Description1>A test object.</Description1>
                <ObjectID>\(objectID)</ObjectID>
                <ObjectURN>urn:oma:lwm2m:x:\(objectID)</ObjectURN>
                \(versionElement)
                <MultipleInstances>Multiple</MultipleInstances>
                <Mandatory>Optional</Mandatory>
                <Resources>
            \(items.joined(separator: "\n"))
                </Resources>
                <Description2></Description2>
              </Object>
            </LWM2M>
            """
    }

    /// One `<Item>` element; `nil` leaves the element out.
    static func item(id: String, name: String = "Value", operations: String? = "R", multiple: String? = "Single",
                     mandatory: String? = "Mandatory", type: String? = "Integer") -> String {
        var parts = ["<Item ID=\"\(id)\">", "<Name>\(name)</Name>"]
        if let operations { parts.append("<Operations>\(operations)</Operations>") }
        if let multiple { parts.append("<MultipleInstances>\(multiple)</MultipleInstances>") }
        if let mandatory { parts.append("<Mandatory>\(mandatory)</Mandatory>") }
        if let type { parts.append("<Type>\(type)</Type>") }
        parts += ["<RangeEnumeration></RangeEnumeration>", "<Units></Units>", "<Description>d</Description>", "</Item>"]
        return parts.joined(separator: "\n")
    }

    /// Runs `body` with a fresh empty directory holding `files` (name to content), removed afterwards.
    static func withDirectory<T>(_ files: [String: String] = [:], _ body: (URL) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("objectmodel-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, content) in files {
            try Data(content.utf8).write(to: directory.appendingPathComponent(name))
        }
        return try body(directory)
    }
}
