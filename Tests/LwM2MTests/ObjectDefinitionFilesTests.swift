import Foundation
import Testing
@testable import LwM2M

/// Checks the project's own `ObjectDefinitions/` against the OMA registry files, fact by fact.
@Suite struct ObjectDefinitionFilesTests {
    private static let expectedIDs: [UInt16] = [0, 1, 2, 3, 4, 5, 6, 7, 9, 19, 3303, 3304, 3313, 3315, 3323, 3347]

    private static func loadProject() throws -> (files: [String], registry: ObjectModelRegistry,
                                                 diagnostics: [ObjectModelDiagnostic]) {
        let directory = try ObjectModelFixtures.projectDefinitionsDirectory()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".xml") }
        let (registry, diagnostics) = ObjectModelRegistry.load(directories: [directory])
        return (files.sorted(), registry, diagnostics)
    }

    /// `Name` with runs of whitespace collapsed (the registry writes `LWM2M  Server URI` with two spaces).
    private static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test func projectFilesLoadAndDefineTheExpectedObjects() throws {
        let (files, registry, diagnostics) = try Self.loadProject()
        #expect(files.count == 16)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
        #expect(registry.objectIDs == Self.expectedIDs)
        #expect(registry.count == 16)
        #expect(files.contains("0-security.xml"))
        #expect(files.contains("3-device.xml"))
        #expect(files.contains("3303-temperature.xml"))
        for file in files {
            let definitions = try DDFParser().parse(
                contentsOf: try ObjectModelFixtures.projectDefinitionsDirectory().appendingPathComponent(file))
            #expect(definitions.count == 1)
            #expect(file.hasPrefix("\(definitions.first?.id ?? 65535)-"), "\(file) is named after its object id")
        }
    }

    @Test func projectFilesCarryTheProjectHeaderAndTheirOwnDescriptions() throws {
        let directory = try ObjectModelFixtures.projectDefinitionsDirectory()
        for file in try Self.loadProject().files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            #expect(text.contains("Written for this project"), "\(file) lacks the provenance header")
            #expect(!text.contains("Copyright"), "\(file) must not carry a copied license header")
            #expect(!text.contains("CDATA"), "\(file)")
        }
    }

    @Test(arguments: expectedIDs)
    func projectDefinitionAgreesWithTheRegistry(objectID: UInt16) throws {
        let ours = try #require(try Self.loadProject().registry.object(objectID))
        let referenceFile = try ObjectModelFixtures.omaObjectsDirectory().appendingPathComponent("\(objectID).xml")
        let theirs = try #require(try DDFParser().parse(contentsOf: referenceFile).first)

        #expect(ours.id == theirs.id)
        #expect(ours.name == theirs.name)
        #expect(ours.version == theirs.version)
        #expect(ours.lwm2mVersion == theirs.lwm2mVersion)
        #expect(ours.urn == theirs.urn)
        #expect(ours.multipleInstances == theirs.multipleInstances)
        #expect(ours.mandatory == theirs.mandatory)
        #expect(ours.resources.keys.sorted() == theirs.resources.keys.sorted())
        #expect(!ours.description.isEmpty && ours.description != theirs.description)

        for (id, reference) in theirs.resources.sorted(by: { $0.key < $1.key }) {
            let resource = try #require(ours.resources[id], "resource \(objectID)/\(id) missing")
            let label = "resource \(objectID)/\(id)"
            #expect(Self.collapsed(resource.name) == Self.collapsed(reference.name), "\(label)")
            #expect(resource.operations == reference.operations, "\(label)")
            #expect(resource.type == reference.type, "\(label)")
            #expect(resource.multiple == reference.multiple, "\(label)")
            #expect(resource.mandatory == reference.mandatory, "\(label)")
            #expect(resource.units == reference.units, "\(label)")
            #expect(!resource.description.isEmpty && resource.description != reference.description, "\(label)")
        }
    }

    @Test func spotCheckProjectFacts() throws {
        let registry = try Self.loadProject().registry
        let device = try #require(registry.object(3))
        #expect(device.name == "Device")
        #expect(device.version == "1.2")
        #expect(device.resources.count == 23)
        #expect(registry.resource(3, 4)?.operations == .execute)
        #expect(registry.resource(3, 4)?.type == ResourceDataType.none)
        #expect(registry.resource(0, 0)?.name == "LWM2M Server URI")
        #expect(registry.resource(0, 0)?.operations == [])
        #expect(registry.resource(1, 1)?.units == "s")
        #expect(registry.resource(3303, 5700)?.type == .float)
        #expect(registry.resource(3347, 5500)?.type == .boolean)
        #expect(registry.object(4)?.version == "1.3")
    }
}
