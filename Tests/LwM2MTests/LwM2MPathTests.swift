import Foundation
import Testing
@testable import LwM2M

@Suite("LwM2MPath")
struct LwM2MPathTests {
    @Test("parses every depth and prints it back")
    func parseAndDescribe() throws {
        let cases: [(String, [UInt16])] = [
            ("/", []), ("/3", [3]), ("/3/0", [3, 0]), ("/3/0/1", [3, 0, 1]), ("/3/0/6/1", [3, 0, 6, 1]),
            ("/65535/65534/65535/65535", [65535, 65534, 65535, 65535]),
        ]
        for (text, ids) in cases {
            let parsed = try LwM2MPath(text)
            #expect(parsed.ids == ids)
            #expect(parsed.description == text)
            #expect(parsed.depth == ids.count)
        }
    }

    @Test("tolerates a missing leading slash")
    func noLeadingSlash() throws {
        #expect(try LwM2MPath("3/0/1") == LwM2MPath(objectID: 3, instanceID: 0, resourceID: 1))
        #expect(try LwM2MPath("3").description == "/3")
    }

    @Test("rejects malformed strings", arguments: [
        "", "//", "/3/", "/3//0", "3/0/", "/-1", "/+3", "/03", "/65536", "/a", "/3/0/1/2/5", " /3", "/3 ", "/3/0x1",
        "/3/65535",
    ])
    func rejects(_ text: String) {
        expectCodecError(.invalidPath) { () throws(LwM2MCodecError) in try LwM2MPath(text) }
    }

    @Test("reserves object instance 65535 (MAX_ID) but allows it elsewhere")
    func maxID() throws {
        expectCodecError(.invalidPath) { () throws(LwM2MCodecError) in try LwM2MPath(objectID: 3, instanceID: 65535) }
        expectCodecError(.invalidPath) { () throws(LwM2MCodecError) in try LwM2MPath(objectID: 3).appending(65535) }
        #expect(LwM2MPath(objectID: 65535).description == "/65535")
        #expect(try LwM2MPath(objectID: 3, instanceID: 0, resourceID: 65535, resourceInstanceID: 65535).depth == 4)
    }

    @Test("kind helpers, ids, parent and appending")
    func helpers() throws {
        let resourceInstance = try LwM2MPath("/3/0/6/1")
        #expect(resourceInstance.isResourceInstance && !resourceInstance.isResource)
        #expect(resourceInstance.objectID == 3 && resourceInstance.instanceID == 0)
        #expect(resourceInstance.resourceID == 6 && resourceInstance.resourceInstanceID == 1)
        #expect(resourceInstance.parent == lwPath("/3/0/6"))
        #expect(lwPath("/3/0/6").isResource)
        #expect(lwPath("/3/0").isObjectInstance)
        #expect(lwPath("/3").isObject && lwPath("/3").instanceID == nil)
        #expect(LwM2MPath.root.isRoot && LwM2MPath.root.parent == nil)
        #expect(lwPath("/3").parent == .root)
        #expect(try lwPath("/3/0").appending(9) == lwPath("/3/0/9"))
        expectCodecError(.invalidPath) { () throws(LwM2MCodecError) in try resourceInstance.appending(0) }
        #expect(lwPath("/3/0").isPrefix(of: lwPath("/3/0/6/1")))
        #expect(!lwPath("/3/0").isPrefix(of: lwPath("/3/1")))
        #expect(!lwPath("/3/0/1").isPrefix(of: lwPath("/3/0")))
    }

    @Test("orders parents first, then ids numerically")
    func ordering() {
        let sorted = ["/4", "/3/0/10", "/3/0/9", "/3", "/", "/3/0/9/0", "/3/0", "/10"].map(lwPath).sorted()
        #expect(sorted.map(\.description) == ["/", "/3", "/3/0", "/3/0/9", "/3/0/9/0", "/3/0/10", "/4", "/10"])
    }

    @Test("is Codable as its string form")
    func codable() throws {
        let encoded = try JSONEncoder().encode([lwPath("/3/0/1"), lwPath("/")])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["\/3\/0\/1","\/"]"#
            || String(decoding: encoded, as: UTF8.self) == #"["/3/0/1","/"]"#)
        #expect(try JSONDecoder().decode([LwM2MPath].self, from: encoded) == [lwPath("/3/0/1"), .root])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([LwM2MPath].self, from: Data(#"["/3/65535"]"#.utf8))
        }
    }
}
