import Foundation
import Testing
@testable import LwM2M

/// The DDF parser on small hand-written documents: values, tolerance and rejection.
@Suite struct DDFParserTests {
    typealias F = ObjectModelFixtures

    private func parse(_ text: String, file: String = "test.xml") throws(ObjectDefinitionError) -> [ObjectDefinition] {
        try DDFParser().parse(Data(text.utf8), file: file)
    }

    /// The error `text` raises; fails the test when it parses.
    private func error(_ text: String, file: String = "bad.xml") -> ObjectDefinitionError? {
        do {
            let definitions = try parse(text, file: file)
            Issue.record("expected an error, parsed \(definitions.map(\.id))")
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesAllFields() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <LWM2M>
              <Object ObjectType="MODefinition">
                <Name> Widget </Name>
                <Description1><![CDATA[Holds <widgets>.]]></Description1>
                <ObjectID> 33000 </ObjectID>
                <ObjectURN>urn:oma:lwm2m:x:33000:2.1</ObjectURN>
                <LWM2MVersion>1.1</LWM2MVersion>
                <ObjectVersion>2.1</ObjectVersion>
                <MultipleInstances>Single</MultipleInstances>
                <Mandatory>Mandatory</Mandatory>
                <Resources>
                  <Item ID="7">
                    <Name>Level</Name><Operations>RW</Operations><MultipleInstances>Multiple</MultipleInstances>
                    <Mandatory>Optional</Mandatory><Type>Unsigned Integer</Type>
                    <RangeEnumeration>0..100</RangeEnumeration><Units>%</Units>
                    <Description>Fill &lt;level&gt; &amp; more &#65;&#x42;</Description>
                  </Item>
                </Resources>
                <Description2/>
              </Object>
            </LWM2M>
            """
        let definition = try #require(try parse(text).first)
        #expect(definition.id == 33000)
        #expect(definition.name == "Widget")
        #expect(definition.description == "Holds <widgets>.")
        #expect(definition.urn == "urn:oma:lwm2m:x:33000:2.1")
        #expect(definition.version == "2.1")
        #expect(definition.lwm2mVersion == "1.1")
        #expect(definition.multipleInstances == false)
        #expect(definition.mandatory == true)
        let resource = try #require(definition.resources[7])
        #expect(resource == ResourceDefinition(id: 7, name: "Level", operations: [.read, .write], multiple: true,
                                               mandatory: false, type: .unsignedInteger, rangeEnumeration: "0..100",
                                               units: "%", description: "Fill <level> & more AB"))
    }

    @Test func versionsDefaultToOnePointZero() throws {
        let definition = try #require(try parse(F.ddf(version: nil)).first)
        #expect(definition.version == "1.0")
        #expect(definition.lwm2mVersion == "1.0")
        #expect(try parse(F.ddf(version: "  ")).first?.version == "1.0")
    }

    @Test func severalObjectsInOneFile() throws {
        let one = F.ddf(objectID: "10")
        let objectElement = try #require(one.range(of: "<Object ")).lowerBound
        let endElement = try #require(one.range(of: "</Object>")).upperBound
        let second = String(one[objectElement..<endElement]).replacingOccurrences(of: ">10<", with: ">11<")
        let text = one.replacingOccurrences(of: "</LWM2M>", with: second + "\n</LWM2M>")
        #expect(try parse(text).map(\.id) == [10, 11])
    }

    @Test(arguments: [
        ("String", ResourceDataType.string), ("string", .string), (" STRING\n", .string),
        ("Integer", .integer), ("Unsigned Integer", .unsignedInteger), ("unsigned  integer", .unsignedInteger),
        ("UnsignedInteger", .unsignedInteger), ("unsigned_integer", .unsignedInteger), ("Float", .float),
        ("Boolean", .boolean), ("Opaque", .opaque), ("Time", .time), ("Objlnk", .objlnk), ("ObjLnk", .objlnk),
        ("Corelnk", .corelnk), ("CoreLnk", .corelnk), ("", .none), ("  ", .none), ("none", .none), ("None", .none),
    ])
    func typeSpellings(text: String, expected: ResourceDataType) throws {
        #expect(DDFParser.dataType(fromDDF: text) == expected)
        let definition = try #require(try parse(F.ddf(items: [F.item(id: "1", type: text)])).first)
        #expect(definition.resources[1]?.type == expected)
    }

    @Test func emptyTypeElementIsNone() throws {
        let text = F.ddf(items: [F.item(id: "1", operations: "E", type: nil).replacingOccurrences(
            of: "</Mandatory>", with: "</Mandatory><Type/>")])
        #expect(try parse(text).first?.resources[1]?.type == ResourceDataType.none)
    }

    @Test(arguments: [
        ("R", .read), ("W", .write), ("RW", [.read, .write]), ("rw", [.read, .write]),
        (" WR ", [.read, .write]), ("E", .execute), ("e", .execute), ("", []), ("none", []),
    ] as [(String, ResourceOperations)])
    func operationSpellings(text: String, expected: ResourceOperations) throws {
        #expect(DDFParser.operations(fromDDF: text) == expected)
        #expect(try parse(F.ddf(items: [F.item(id: "1", operations: text)])).first?.resources[1]?.operations == expected)
    }

    @Test func multiplicityAndMandatoryTolerateCaseAndWhitespace() throws {
        let text = F.ddf(items: [F.item(id: "1", multiple: " multiple ", mandatory: "OPTIONAL")])
        let resource = try #require(try parse(text).first?.resources[1])
        #expect(resource.multiple == true)
        #expect(resource.mandatory == false)
    }

    @Test func ddfNamesRoundTrip() {
        for type in ResourceDataType.allCases {
            #expect(DDFParser.dataType(fromDDF: DDFParser.ddfName(of: type)) == type)
        }
        #expect(DDFParser.ddfName(of: .unsignedInteger) == "Unsigned Integer")
        #expect(DDFParser.ddfName(of: [.read, .write]) == "RW")
        #expect(DDFParser.ddfName(of: [.read, .execute]) == nil)
    }

    // MARK: - Rejection

    @Test func truncatedFile() throws {
        let full = F.ddf()
        let truncated = String(full.prefix(full.count / 2))
        let failure = try #require(error(truncated, file: "truncated.xml"))
        #expect(failure.kind == .malformedXML)
        #expect(failure.file == "truncated.xml")
        #expect(failure.line != nil)
        #expect(failure.description.hasPrefix("truncated.xml:"))
    }

    @Test(arguments: ["this is not XML", "", "{\"json\": true}", "<LWM2M><Object></Item></Object></LWM2M>",
                      "<a/><b/>"])
    func notWellFormed(text: String) throws {
        #expect(try #require(error(text)).kind == .malformedXML)
    }

    @Test func wrongRootOrNoObject() throws {
        #expect(try #require(error("<?xml version=\"1.0\"?><html><body/></html>")).kind == .notDDF)
        #expect(try #require(error("<LWM2M></LWM2M>")).kind == .notDDF)
    }

    @Test func missingObjectID() throws {
        let text = F.ddf().replacingOccurrences(of: "<ObjectID>42</ObjectID>", with: "")
        let failure = try #require(error(text, file: "no-id.xml"))
        #expect(failure.kind == .missingElement)
        #expect(failure.file == "no-id.xml")
        #expect(failure.message.contains("ObjectID"))
    }

    @Test(arguments: ["abc", "-1", "65536", "", "3.5"])
    func invalidObjectID(id: String) throws {
        #expect(try #require(error(F.ddf(objectID: id))).kind == .invalidObjectID)
    }

    @Test(arguments: ["x", "-1", "65536", "", "1e3"])
    func invalidResourceID(id: String) throws {
        let failure = try #require(error(F.ddf(items: [F.item(id: id)])))
        #expect(failure.kind == .invalidResourceID)
        #expect(failure.line != nil)
    }

    @Test func duplicateResourceID() throws {
        let failure = try #require(error(F.ddf(items: [F.item(id: "3"), F.item(id: "3")])))
        #expect(failure.kind == .invalidResourceID)
        #expect(failure.message.contains("twice"))
    }

    @Test(arguments: ["Text", "Double", "int", "Bool", "Integer Unsigned"])
    func unknownType(type: String) throws {
        let failure = try #require(error(F.ddf(items: [F.item(id: "5", type: type)]), file: "type.xml"))
        #expect(failure.kind == .invalidValue)
        #expect(failure.message.contains("<Type>"))
        #expect(failure.message.contains("42/5"))
    }

    @Test(arguments: ["RE", "X", "RWE", "Read"])
    func unknownOperations(operations: String) throws {
        #expect(try #require(error(F.ddf(items: [F.item(id: "1", operations: operations)]))).kind == .invalidValue)
    }

    @Test func badEnumeratedValues() throws {
        #expect(try #require(error(F.ddf(items: [F.item(id: "1", multiple: "Many")]))).kind == .invalidValue)
        #expect(try #require(error(F.ddf(items: [F.item(id: "1", mandatory: "Yes")]))).kind == .invalidValue)
        #expect(try #require(error(F.ddf(version: "v2"))).kind == .invalidValue)
        #expect(try #require(error(F.ddf(name: " "))).kind == .invalidValue)
    }

    @Test func missingItemElements() throws {
        #expect(try #require(error(F.ddf(items: [F.item(id: "1", operations: nil)]))).kind == .missingElement)
        #expect(try #require(error(F.ddf(items: [F.item(id: "1", multiple: nil)]))).kind == .missingElement)
        #expect(try #require(error(F.ddf(items: [F.item(id: "1", mandatory: nil)]))).kind == .missingElement)
        #expect(try #require(error(F.ddf(items: [F.item(id: "1", type: nil)]))).kind == .missingElement)
        let noResources = F.ddf(items: []).replacingOccurrences(of: "<Resources>", with: "")
            .replacingOccurrences(of: "</Resources>", with: "")
        #expect(try #require(error(noResources)).kind == .missingElement)
    }

    @Test func repeatedElementIsRejected() throws {
        let text = F.ddf(items: [F.item(id: "1").replacingOccurrences(of: "<Type>Integer</Type>",
                                                                      with: "<Type>Integer</Type><Type>Float</Type>")])
        let failure = try #require(error(text))
        #expect(failure.kind == .invalidValue)
        #expect(failure.message.contains("appears 2 times"))
    }

    @Test func emptyResourcesAreAllowed() throws {
        #expect(try parse(F.ddf(items: [])).first?.resources.isEmpty == true)
    }

    @Test func unreadableFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent/\(UUID().uuidString).xml")
        do {
            _ = try DDFParser().parse(contentsOf: url)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unreadable)
            #expect(error.file == url.path)
        }
    }
}
