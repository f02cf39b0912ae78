import Foundation
import Testing
@testable import LwM2M

/// The registry's version handling and the directory loader's diagnostics.
@Suite struct ObjectModelRegistryTests {
    typealias F = ObjectModelFixtures

    private func definition(_ id: UInt16, _ version: String, name: String = "Thing") -> ObjectDefinition {
        ObjectDefinition(id: id, name: name, version: version, multipleInstances: true, mandatory: false,
                         resources: [:])
    }

    @Test func newestVersionWinsAndAllVersionsAreKept() {
        let registry = ObjectModelRegistry(definitions: [
            definition(3, "1.1"), definition(3, "1.10"), definition(3, "1.2"), definition(3, "1.0"), definition(4, "1.0"),
        ])
        #expect(registry.object(3)?.version == "1.10")
        #expect(registry.versions(of: 3).map(\.version) == ["1.0", "1.1", "1.2", "1.10"])
        #expect(registry.object(3, version: "1.2")?.version == "1.2")
        #expect(registry.object(3, version: "1.3") == nil)
        #expect(registry.object(4, version: "1")?.version == "1.0")
        #expect(registry.contains(3, version: "1.1"))
        #expect(!registry.contains(5, version: "1.0"))
        #expect(registry.object(5) == nil)
        #expect(registry.versions(of: 5).isEmpty)
        #expect(registry.objectIDs == [3, 4])
        #expect(registry.count == 5)
        #expect(registry.definitions.map(\.version) == ["1.0", "1.1", "1.2", "1.10", "1.0"])
    }

    @Test func firstDefinitionOfAVersionIsKept() {
        var registry = ObjectModelRegistry(definitions: [definition(7, "1.0", name: "First"),
                                                         definition(7, "1.0", name: "Second")])
        #expect(registry.object(7)?.name == "First")
        #expect(registry.count == 1)
        #expect(registry.insert(definition(7, "1.0", name: "Third")) == false)
        #expect(registry.insert(definition(7, "2.0", name: "Newer")) == true)
        #expect(registry.object(7)?.name == "Newer")
    }

    @Test func providerLookupUsesTheNewestVersion() {
        let old = ObjectDefinition(id: 9, name: "Old", version: "1.0", multipleInstances: false, mandatory: false,
                                   resources: [0: ResourceDefinition(id: 0, name: "A", operations: .read,
                                                                     multiple: false, mandatory: true, type: .string)])
        var new = old
        new.version = "1.1"
        new.resources[0]?.type = .integer
        let provider: any ObjectModelProvider = ObjectModelRegistry(definitions: [new, old])
        #expect(provider.resource(9, 0)?.type == .integer)
        #expect(provider.resource(9, 1) == nil)
    }

    @Test func emptyDirectoryGivesEmptyRegistry() throws {
        let (registry, diagnostics) = try F.withDirectory { ObjectModelRegistry.load(directories: [$0]) }
        #expect(registry.isEmpty)
        #expect(registry.count == 0)
        #expect(diagnostics.isEmpty)
        #expect(ObjectModelRegistry.load(directories: []).registry == ObjectModelRegistry())
    }

    @Test func badFilesAreSkippedWithDiagnosticsWhileGoodFilesLoad() throws {
        let good = F.ddf(objectID: "100")
        let files = [
            "a-good.xml": good,
            "b-truncated.xml": String(good.prefix(200)),
            "c-not-xml.xml": "PK\u{3}\u{4} binary junk",
            "d-no-object-id.xml": F.ddf(objectID: "101").replacingOccurrences(of: "<ObjectID>101</ObjectID>", with: ""),
            "e-bad-item-id.xml": F.ddf(objectID: "102", items: [F.item(id: "zero")]),
            "f-unknown-type.xml": F.ddf(objectID: "103", items: [F.item(id: "0", type: "Decimal")]),
            "g-good.xml": F.ddf(objectID: "104"),
            "notes.txt": "not a definition file",
        ]
        let (registry, diagnostics) = try F.withDirectory(files) { ObjectModelRegistry.load(directories: [$0]) }
        #expect(registry.objectIDs == [100, 104])
        #expect(diagnostics.map(\.fileName) == ["b-truncated.xml", "c-not-xml.xml", "d-no-object-id.xml",
                                                "e-bad-item-id.xml", "f-unknown-type.xml"])
        #expect(diagnostics.map(\.error.kind) == [.malformedXML, .malformedXML, .missingElement,
                                                  .invalidResourceID, .invalidValue])
        for diagnostic in diagnostics {
            #expect(diagnostic.error.file.hasSuffix("/" + diagnostic.fileName))
            #expect(diagnostic.description.contains(diagnostic.fileName))
            #expect(!diagnostic.reason.isEmpty)
        }
    }

    @Test func duplicatesAreSkippedAndNewVersionsAdded() throws {
        try F.withDirectory(["3-device.xml": F.ddf(objectID: "3", name: "Device", version: "1.1"),
                             "3-device-copy.xml": F.ddf(objectID: "3", name: "Copy", version: "1.1")]) { builtIn in
            try F.withDirectory(["a.xml": F.ddf(objectID: "3", name: "User Device", version: "1.1"),
                                 "b.xml": F.ddf(objectID: "3", name: "User Device 2", version: "2.0"),
                                 "c.xml": F.ddf(objectID: "33000", name: "Vendor")]) { user in
                let (registry, diagnostics) = ObjectModelRegistry.load(directories: [builtIn, user])
                #expect(registry.objectIDs == [3, 33000])
                #expect(registry.versions(of: 3).map(\.name) == ["Copy", "User Device 2"])
                #expect(registry.object(3)?.version == "2.0")
                // "3-device-copy.xml" sorts before "3-device.xml" in byte order ('-' < '.').
                #expect(registry.object(3, version: "1.1")?.name == "Copy")
                #expect(diagnostics.map(\.fileName) == ["3-device.xml", "a.xml"])
                #expect(diagnostics.allSatisfy { $0.error.kind == .duplicateDefinition })
                #expect(diagnostics.last?.reason.contains("3-device-copy.xml") == true)
                #expect(diagnostics.last?.error.file == user.appendingPathComponent("a.xml").path)
            }
        }
    }

    @Test func loadingOntoABaseRegistry() throws {
        let base = ObjectModelRegistry(definitions: [definition(3, "1.0")])
        let (registry, diagnostics) = try F.withDirectory(["x.xml": F.ddf(objectID: "3", version: "1.0")]) {
            ObjectModelRegistry.load(directories: [$0], into: base)
        }
        #expect(registry == base)
        #expect(diagnostics.first?.error.kind == .duplicateDefinition)
        #expect(diagnostics.first?.reason.contains("base registry") == true)
    }

    @Test func missingDirectoryAndSubdirectoriesAndHiddenFiles() throws {
        let missing = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)")
        try F.withDirectory([".hidden.xml": "junk", "UPPER.XML": F.ddf(objectID: "8")]) { directory in
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub.xml"),
                                                    withIntermediateDirectories: false)
            let (registry, diagnostics) = ObjectModelRegistry.load(directories: [missing, directory])
            #expect(registry.objectIDs == [8])
            #expect(diagnostics.count == 1)
            #expect(diagnostics.first?.file == missing)
            #expect(diagnostics.first?.error.kind == .unreadable)
        }
    }

    @Test func loadingIsDeterministic() throws {
        let directory = try ObjectModelFixtures.omaObjectsDirectory()
        let first = ObjectModelRegistry.load(directories: [directory, directory.appendingPathComponent("all")])
        let second = ObjectModelRegistry.load(directories: [directory, directory.appendingPathComponent("all")])
        #expect(first.registry == second.registry)
        #expect(first.diagnostics == second.diagnostics)
        // The 29 top-level files are copies of files in all/: each is a duplicate the second time.
        #expect(first.diagnostics.count == 29)
        #expect(first.diagnostics.allSatisfy { $0.error.kind == .duplicateDefinition })
        #expect(first.registry.count == 327)
    }
}
