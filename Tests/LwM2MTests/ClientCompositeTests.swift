import CoAP
import Foundation
import Testing
@testable import LwM2M

/// Read-Composite (FETCH /) and Write-Composite (iPATCH /) on the client tree, and the SenML path list.
struct ClientCompositeTests {
    static let senml: [ContentFormat] = [.senmlJSON, .senmlCBOR]

    func fetch(_ tree: inout ClientObjectTree, _ paths: [String], format: ContentFormat, accept: ContentFormat? = nil)
        -> CoAPResponse
    {
        let payload = try! SenMLPathList.encode(paths.map(clientPath), format: format)
        return tree.handle(clientRequest(.fetch, "/", format: format, accept: accept, payload: payload), now: clientNow)
    }

    @Test(arguments: senml, senml)
    func readCompositeAnswersEveryPath(format: ContentFormat, accept: ContentFormat) throws {
        var tree = clientTree()
        let paths = ["/3/0/0", "/1/0/1", "/3303/0", "/3/0/6/1"].map(clientPath)
        let response = fetch(&tree, paths.map(\.description), format: format, accept: accept)
        #expect(response.code == .content, "\(response.payloadText)")
        #expect(response.contentFormat == accept.rawValue)
        let nodes = try LwM2MCodecRegistry.standard.decodeNodes(response.payload, format: accept, paths: paths,
                                                                model: clientModel)
        #expect(nodes[clientPath("/3/0/0")] == .singleResource(id: 0, value: .string("lwm2m-sim")))
        #expect(nodes[clientPath("/1/0/1")] == .singleResource(id: 1, value: .integer(300)))
        #expect(nodes[clientPath("/3/0/6/1")] == .resourceInstance(LwM2MResourceInstance(id: 1, value: .integer(5))))
        #expect(nodes[clientPath("/3303/0")] == clientTree().node(at: clientPath("/3303/0")))
    }

    @Test func withoutAcceptTheRequestFormatAnswers() {
        var tree = clientTree()
        let response = fetch(&tree, ["/3/0/1"], format: .senmlJSON)
        #expect(response.contentFormat == 110)
        #expect(clientText(response) == #"[{"bn":"/3/0/1","vs":"sim-model"}]"#)
    }

    @Test func rootStandsForEveryVisibleObject() throws {
        var tree = clientTree()
        let response = fetch(&tree, ["/"], format: .senmlCBOR)
        #expect(response.code == .content)
        let nodes = try LwM2MCodecRegistry.standard.decodeNodes(
            response.payload, format: .senmlCBOR, paths: [1, 3, 5, 19, 3303].map { LwM2MPath(objectID: $0) },
            model: clientModel)
        #expect(nodes.keys.sorted() == [1, 3, 5, 19, 3303].map { LwM2MPath(objectID: $0) })
    }

    @Test func readCompositeFailures() {
        var tree = clientTree()
        #expect(fetch(&tree, ["/3/0/0", "/3/7"], format: .senmlJSON).code == .notFound)
        #expect(fetch(&tree, ["/3/0/4"], format: .senmlJSON).code == .methodNotAllowed)
        #expect(fetch(&tree, ["/0/0/0"], format: .senmlJSON).code == .unauthorized)
        #expect(fetch(&tree, ["/3/0/0"], format: .senmlJSON, accept: .tlv).code == .notAcceptable)
        func raw(_ format: ContentFormat?, _ payload: [UInt8], path: String = "/") -> CoAPCode {
            tree.handle(clientRequest(.fetch, path, format: format, payload: payload), now: clientNow).code
        }
        #expect(raw(.tlv, [0xc8, 0x00, 0x01, 0x41]) == .unsupportedContentFormat)
        #expect(raw(nil, utf8Bytes(#"[{"n":"/3/0/0"}]"#)) == .badRequest)
        #expect(raw(.senmlJSON, utf8Bytes(#"[{"n":"/3/x"}]"#)) == .badRequest)
        #expect(raw(.senmlJSON, utf8Bytes("[{")) == .badRequest)
        #expect(raw(.senmlCBOR, [0x81, 0xa1, 0x00]) == .badRequest)
        #expect(raw(.senmlJSON, utf8Bytes(#"[{"n":"/3/0/0"}]"#), path: "/3") == .methodNotAllowed)
    }

    @Test(arguments: senml)
    func writeCompositeAppliesEverything(format: ContentFormat) throws {
        var tree = clientTree()
        let nodes: [LwM2MPath: LwM2MNode] = [
            clientPath("/1/0/1"): .singleResource(id: 1, value: .integer(240)),
            clientPath("/3/0/14"): .singleResource(id: 14, value: .string("+02:00")),
            clientPath("/19/0/0/3"): .resourceInstance(LwM2MResourceInstance(id: 3, value: .opaque([3]))),
        ]
        let payload = try LwM2MCodecRegistry.standard.encodeNodes(nodes, format: format, model: clientModel)
        let outcome = tree.process(clientRequest(.iPatch, "/", format: format, payload: payload), now: clientNow)
        #expect(outcome.response.code == .changed, "\(outcome.response.payloadText)")
        #expect(outcome.event == .written([clientPath("/1/0/1"), clientPath("/3/0/14"), clientPath("/19/0/0/3")]))
        #expect(tree.value(at: clientPath("/1/0/1")) == .integer(240))
        #expect(tree.value(at: clientPath("/3/0/14")) == .string("+02:00"))
        #expect(tree.resource(at: clientPath("/19/0/0"))?.instances == [0: .opaque([1, 2, 3]), 3: .opaque([3])])
    }

    @Test func writeCompositeIsAllOrNothing() {
        var tree = clientTree()
        func patch(_ json: String) -> CoAPCode {
            tree.handle(clientRequest(.iPatch, "/", format: .senmlJSON, payload: utf8Bytes(json)), now: clientNow).code
        }
        #expect(patch(#"[{"n":"/1/0/1","v":10},{"n":"/3/0/9","v":1}]"#) == .methodNotAllowed)
        #expect(patch(#"[{"n":"/1/0/1","v":10},{"n":"/3303/9/5750","vs":"x"}]"#) == .notFound)
        #expect(patch(#"[{"n":"/1/0/1","v":10},{"n":"/1/0/999","v":1}]"#) == .notFound)
        #expect(patch(#"[{"n":"/1/0/1","v":10},{"n":"/1/0/7","v":1}]"#) == .badRequest)
        #expect(patch(#"[{"n":"/1/0/1","v":10},{"n":"/0/0/0","vs":"coap://evil"}]"#) == .unauthorized)
        #expect(patch(#"[{"n":"/1/0/1","v":10},{"n":"/3/0/4","v":1}]"#) == .badRequest)
        #expect(patch(#"[{"n":"/1/0/1","v":10"#) == .badRequest)
        #expect(tree.value(at: clientPath("/1/0/1")) == .integer(300))
        let tlv = tree.handle(clientRequest(.iPatch, "/", format: .tlv, payload: [0xc1, 0x01, 0x05]), now: clientNow)
        #expect(tlv.code == .unsupportedContentFormat)
        let notRoot = tree.handle(
            clientRequest(.iPatch, "/1/0", format: .senmlJSON, payload: utf8Bytes(#"[{"n":"/1/0/1","v":10}]"#)),
            now: clientNow)
        #expect(notRoot.code == .methodNotAllowed)
        #expect(tree.value(at: clientPath("/1/0/1")) == .integer(300))
    }

    @Test(arguments: senml)
    func pathListRoundTrips(format: ContentFormat) throws {
        let paths = ["/", "/3", "/3/0", "/3/0/7", "/3/0/7/1"].map(clientPath)
        #expect(try SenMLPathList.decode(try SenMLPathList.encode(paths, format: format), format: format) == paths)
    }

    @Test func pathListResolvesBaseNamesAndIgnoresValues() throws {
        let json = utf8Bytes(#"[{"bn":"/3/0/","n":"1"},{"n":"7/0","v":3},{"bn":"/1","n":""}]"#)
        #expect(try SenMLPathList.decode(json, format: .senmlJSON) == ["/3/0/1", "/3/0/7/0", "/1"].map(clientPath))
        #expect(try SenMLPathList.encode([clientPath("/3/0/1")], format: .senmlJSON) == utf8Bytes(#"[{"n":"/3/0/1"}]"#))
        expectCodecError(.unsupportedContentFormat) { () throws(LwM2MCodecError) in try SenMLPathList.encode([], format: .tlv) }
        expectCodecError(.unsupportedContentFormat) { () throws(LwM2MCodecError) in try SenMLPathList.decode([], format: .lwm2mJSON) }
        expectCodecError(.invalidPath) { () throws(LwM2MCodecError) in try SenMLPathList.decode(utf8Bytes(#"[{"n":"/a"}]"#), format: .senmlJSON) }
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in try SenMLPathList.decode(utf8Bytes(#"[{"v":1}]"#), format: .senmlJSON) }
    }
}
