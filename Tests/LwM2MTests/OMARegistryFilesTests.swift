import Foundation
import Testing
@testable import LwM2M

/// Loads the 327 object files of the OMA registry snapshot (`shared/oma-objects/all`).
@Suite struct OMARegistryFilesTests {
    private static func loadAll() throws -> (files: [String], registry: ObjectModelRegistry,
                                             diagnostics: [ObjectModelDiagnostic]) {
        let directory = try ObjectModelFixtures.omaObjectsDirectory().appendingPathComponent("all")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".xml") }
        let (registry, diagnostics) = ObjectModelRegistry.load(directories: [directory])
        return (files, registry, diagnostics)
    }

    @Test func everyRegistryFileParses() throws {
        let (files, registry, diagnostics) = try Self.loadAll()
        #expect(files.count == 327)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
        #expect(registry.count == 327)
        #expect(registry.objectIDs.count == 327)
        #expect(registry.definitions.reduce(0) { $0 + $1.resources.count } == 3464)
    }

    @Test func typeAndOperationCountsMatchTheRegistry() throws {
        let resources = try Self.loadAll().registry.definitions.flatMap { $0.resources.values }
        var types: [ResourceDataType: Int] = [:]
        var operations: [String: Int] = [:]
        for resource in resources {
            types[resource.type, default: 0] += 1
            operations[DDFParser.ddfName(of: resource.operations) ?? "?", default: 0] += 1
        }
        #expect(types == [.string: 589, .integer: 1031, .unsignedInteger: 136, .float: 762, .boolean: 286,
                          .opaque: 119, .time: 179, .objlnk: 68, .corelnk: 20, .none: 274])
        #expect(operations == ["R": 2058, "RW": 1044, "W": 47, "E": 273, "": 42])
    }

    @Test func deviceObjectFacts() throws {
        let registry = try Self.loadAll().registry
        let device = try #require(registry.object(3))
        #expect(device.name == "Device")
        #expect(device.version == "1.2")
        #expect(device.lwm2mVersion == "1.1")
        #expect(device.urn == "urn:oma:lwm2m:oma:3:1.2")
        #expect(device.multipleInstances == false)
        #expect(device.mandatory == true)
        #expect(device.description.hasPrefix("This LwM2M Object provides"))  // CDATA content
        #expect(device.resources.count == 23)

        let manufacturer = try #require(registry.resource(3, 0))
        #expect(manufacturer.name == "Manufacturer")
        #expect(manufacturer.type == .string)
        #expect(manufacturer.operations == .read)
        #expect(manufacturer.multiple == false)
        #expect(manufacturer.mandatory == false)

        let errorCode = try #require(registry.resource(3, 11))
        #expect(errorCode.multiple == true)
        #expect(errorCode.mandatory == true)
        #expect(errorCode.rangeEnumeration == "0..32")

        let battery = try #require(registry.resource(3, 9))
        #expect(battery.units == "/100")
        #expect(registry.resource(3, 13)?.operations == [.read, .write])
        #expect(registry.resource(3, 13)?.type == .time)
    }

    @Test func otherObjectFacts() throws {
        let registry = try Self.loadAll().registry
        #expect(registry.resource(3303, 5700)?.type == .float)
        #expect(registry.resource(3303, 5700)?.name == "Sensor Value")

        let update = try #require(registry.resource(5, 2))
        #expect(update.name == "Update")
        #expect(update.operations == .execute)
        #expect(update.type == ResourceDataType.none)
        #expect(registry.resource(5, 4) == nil)  // not defined by Firmware Update 1.2

        let security = try #require(registry.object(0))
        #expect(security.name == "LWM2M Security")
        #expect(security.multipleInstances && security.mandatory)
        #expect(security.resources[0]?.operations == [])  // not accessible to a server: empty <Operations>
        #expect(security.resources[0]?.type == .string)
        #expect(security.resources[16]?.type == .unsignedInteger)

        #expect(registry.object(1)?.lwm2mVersion == "1.2")
        #expect(registry.resource(1, 7)?.name == "Binding")
        #expect(registry.object(6)?.version == "1.0")  // no change since 1.0
    }

    @Test func entitiesAndCDATAAreDecoded() throws {
        let registry = try Self.loadAll().registry
        #expect(registry.object(10308)?.name == "AT&T Connectivity Extension")  // &amp;
        #expect(registry.resource(10308, 7)?.rangeEnumeration == "<7 to >12.5")  // &#60; &#62;
        let lamp = try #require(registry.resource(3416, 17))
        #expect(lamp.description.hasSuffix("dim level &gt; 0)."))  // inside CDATA: kept literally
    }

    @Test func filesWithoutDeclarationOrWithByteOrderMarkParse() throws {
        let directory = try ObjectModelFixtures.omaObjectsDirectory().appendingPathComponent("all")
        let parser = DDFParser()
        let noDeclaration = try parser.parse(contentsOf: directory.appendingPathComponent("10241.xml"))
        #expect(noDeclaration.map(\.id) == [10241])
        let byteOrderMark = try Data(contentsOf: directory.appendingPathComponent("19.xml"))
        #expect(byteOrderMark.prefix(3) == Data([0xEF, 0xBB, 0xBF]))
        #expect(try parser.parse(byteOrderMark, file: "19.xml").first?.name == "BinaryAppDataContainer")
    }
}
