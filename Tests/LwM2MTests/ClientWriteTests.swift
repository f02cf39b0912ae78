import CoAP
import Foundation
import Testing
@testable import LwM2M

/// Write (PUT replace, POST partial update) on the client tree.
struct ClientWriteTests {
    @Test(arguments: clientAllFormats.filter { $0 != .opaque })
    func singleResourceInEveryFormat(format: ContentFormat) {
        var tree = clientTree()
        let payload = clientEncode(.singleResource(id: 1, value: .integer(120)), at: "/1/0/1", format)
        let outcome = tree.process(clientRequest(.put, "/1/0/1", format: format, payload: payload), now: clientNow)
        #expect(outcome.response.code == .changed, "\(format): \(outcome.response.payloadText)")
        #expect(outcome.event == .written([clientPath("/1/0/1")]))
        #expect(!outcome.changesRegistrationLinks)
        #expect(tree.value(at: clientPath("/1/0/1")) == .integer(120))
    }

    @Test func opaqueResourceInstance() {
        var tree = clientTree()
        let response = tree.handle(clientRequest(.put, "/19/0/0/4", format: .opaque, payload: [9, 8]), now: clientNow)
        #expect(response.code == .changed)
        #expect(tree.resource(at: clientPath("/19/0/0"))?.instances == [0: .opaque([1, 2, 3]), 4: .opaque([9, 8])])
    }

    @Test(arguments: clientNodeFormats)
    func replaceInstanceKeepsReadOnlyAndDropsOtherWritableResources(format: ContentFormat) {
        var tree = clientTree()
        let node = LwM2MNode.objectInstance(clientInstance(0, [.single(id: 1, value: .integer(600))]))
        let response = tree.handle(
            clientRequest(.put, "/1/0", format: format, payload: clientEncode(node, at: "/1/0", format)), now: clientNow)
        #expect(response.code == .changed, "\(format): \(response.payloadText)")
        #expect(tree.node(at: clientPath("/1/0")) == .objectInstance(clientInstance(0, [
            .single(id: 0, value: .integer(1)), .single(id: 1, value: .integer(600)),
        ])))
    }

    @Test(arguments: clientNodeFormats)
    func partialUpdateOfAnInstanceChangesOnlyWhatIsGiven(format: ContentFormat) {
        var tree = clientTree()
        let node = LwM2MNode.objectInstance(clientInstance(0, [
            .single(id: 14, value: .string("+02:00")), .single(id: 15, value: .string("Europe/Paris")),
        ]))
        let outcome = tree.process(
            clientRequest(.post, "/3/0", format: format, payload: clientEncode(node, at: "/3/0", format)), now: clientNow)
        #expect(outcome.response.code == .changed, "\(format): \(outcome.response.payloadText)")
        #expect(outcome.event == .written([clientPath("/3/0/14"), clientPath("/3/0/15")]))
        #expect(tree.value(at: clientPath("/3/0/14")) == .string("+02:00"))
        #expect(tree.value(at: clientPath("/3/0/15")) == .string("Europe/Paris"))
        #expect(tree.value(at: clientPath("/3/0/0")) == .string("lwm2m-sim"))
        #expect(tree.value(at: clientPath("/3/0/13")) == .time(1_700_000_000))
    }

    @Test func multipleResourceIsMergedByPostAndReplacedByPut() {
        var tree = clientTree()
        let added = LwM2MNode.resource(clientMultiple(0, .opaque, [1: .opaque([7])]))
        let post = tree.handle(
            clientRequest(.post, "/19/0/0", format: .tlv, payload: clientEncode(added, at: "/19/0/0", .tlv)), now: clientNow)
        #expect(post.code == .changed)
        #expect(tree.resource(at: clientPath("/19/0/0"))?.instances == [0: .opaque([1, 2, 3]), 1: .opaque([7])])
        let put = tree.handle(
            clientRequest(.put, "/19/0/0", format: .senmlCBOR, payload: clientEncode(added, at: "/19/0/0", .senmlCBOR)),
            now: clientNow)
        #expect(put.code == .changed)
        #expect(tree.resource(at: clientPath("/19/0/0"))?.instances == [1: .opaque([7])])
    }

    @Test func postOnAnInstanceMergesMultipleResources() {
        var tree = clientTree()
        let node = LwM2MNode.objectInstance(clientInstance(0, [clientMultiple(0, .opaque, [5: .opaque([5])])]))
        let response = tree.handle(
            clientRequest(.post, "/19/0", format: .senmlJSON, payload: clientEncode(node, at: "/19/0", .senmlJSON)),
            now: clientNow)
        #expect(response.code == .changed)
        #expect(tree.resource(at: clientPath("/19/0/0"))?.instances?.keys.sorted() == [0, 5])
    }

    @Test func readOnlyResourcesAreNotWritableAndNothingChanges() {
        var tree = clientTree()
        let single = tree.handle(clientRequest(.put, "/3/0/0", format: .text, payload: utf8Bytes("x")), now: clientNow)
        #expect(single.code == .methodNotAllowed)
        let node = LwM2MNode.objectInstance(clientInstance(0, [
            .single(id: 14, value: .string("+05:00")), .single(id: 9, value: .integer(1)),
        ]))
        let mixed = tree.handle(
            clientRequest(.post, "/3/0", format: .tlv, payload: clientEncode(node, at: "/3/0", .tlv)), now: clientNow)
        #expect(mixed.code == .methodNotAllowed)
        #expect(tree.value(at: clientPath("/3/0/14")) == .string("+01:00"))
        #expect(tree.value(at: clientPath("/3/0/9")) == .integer(100))
    }

    @Test(arguments: [
        ("/1/5/1", CoAPCode.notFound), ("/1/0/999", .notFound), ("/42/0/1", .notFound), ("/1", .methodNotAllowed),
        ("/", .methodNotAllowed), ("/1/0/8", .methodNotAllowed), ("/3/0/14/0", .notFound), ("/0/0/0", .unauthorized),
    ])
    func pathFailures(path: String, code: CoAPCode) {
        var tree = clientTree()
        let response = tree.handle(clientRequest(.put, path, format: .text, payload: utf8Bytes("1")), now: clientNow)
        #expect(response.code == code, "\(path): \(response.payloadText)")
    }

    @Test func formatFailures() {
        var tree = clientTree()
        func put(_ path: String, _ format: ContentFormat?, _ payload: [UInt8]) -> CoAPCode {
            tree.handle(clientRequest(.put, path, format: format, payload: payload), now: clientNow).code
        }
        #expect(put("/1/0/1", ContentFormat(rawValue: 9999), utf8Bytes("1")) == .unsupportedContentFormat)
        #expect(put("/1/0/1", .linkFormat, utf8Bytes("</1>")) == .unsupportedContentFormat)
        #expect(put("/1/0", .text, utf8Bytes("1")) == .unsupportedContentFormat)
        #expect(put("/1/0/1", nil, utf8Bytes("1")) == .badRequest)
        #expect(put("/1/0/1", .text, utf8Bytes("soon")) == .badRequest)
        #expect(put("/1/0/1", .opaque, [1]) == .badRequest)
        #expect(put("/1/0/6", .text, utf8Bytes("2")) == .badRequest)
        #expect(put("/1/0/1", .senmlJSON, utf8Bytes(#"[{"n":"/1/0/1","vs":"soon"}]"#)) == .badRequest)
        #expect(put("/1/0", .tlv, [0xc8, 0x01]) == .badRequest)
        #expect(put("/1/0", .senmlCBOR, [0x9f, 0xa1]) == .badRequest)
        #expect(put("/1/0", .lwm2mJSON, utf8Bytes("{\"e\":")) == .badRequest)
        #expect(tree.node(at: clientPath("/1/0")) == clientTree().node(at: clientPath("/1/0")))
    }

    @Test func writeOfAPayloadForAnotherPathIsABadRequest() {
        var tree = clientTree()
        let payload = clientEncode(.singleResource(id: 2, value: .integer(5)), at: "/1/0/2", .senmlJSON)
        #expect(tree.handle(clientRequest(.put, "/1/0/1", format: .senmlJSON, payload: payload), now: clientNow).code
            == .badRequest)
        #expect(tree.value(at: clientPath("/1/0/1")) == .integer(300))
    }

    @Test func writeMayAddAnOptionalWritableResource() {
        var tree = clientTree()
        let response = tree.handle(clientRequest(.put, "/1/0/2", format: .text, payload: utf8Bytes("10")), now: clientNow)
        #expect(response.code == .changed)
        #expect(tree.value(at: clientPath("/1/0/2")) == .integer(10))
    }
}
