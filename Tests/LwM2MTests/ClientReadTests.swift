import CoAP
import Foundation
import Testing
@testable import LwM2M

/// Read (GET) on the client tree: every node kind in every format that carries it, and the failure codes.
struct ClientReadTests {
    @Test(arguments: [ContentFormat.text, .cbor, .tlv, .senmlJSON, .senmlCBOR, .lwm2mJSON])
    func singleResourceInEveryFormat(format: ContentFormat) throws {
        var tree = clientTree()
        let response = tree.handle(clientRequest(.get, "/3/0/0", accept: format), now: clientNow)
        #expect(response.code == .content)
        #expect(response.contentFormat == format.rawValue)
        #expect(try clientDecode(response, at: "/3/0/0") == .singleResource(id: 0, value: .string("lwm2m-sim")))
    }

    @Test func exactBytesOfTextAndTLV() {
        var tree = clientTree()
        let text = tree.handle(clientRequest(.get, "/3/0/9", accept: .text), now: clientNow)
        #expect(clientText(text) == "100")
        let tlv = tree.handle(clientRequest(.get, "/3/0/0", accept: .tlv), now: clientNow)
        #expect(hexString(tlv.payload) == "c80009" + hexString(Array("lwm2m-sim".utf8)))
        let float = tree.handle(clientRequest(.get, "/3303/0/5700", accept: .text), now: clientNow)
        #expect(clientText(float) == "21.5")
    }

    @Test func opaqueResourceInstanceAsOpaqueAndAStringAsOpaqueIsNotAcceptable() {
        var tree = clientTree()
        let opaque = tree.handle(clientRequest(.get, "/19/0/0/0", accept: .opaque), now: clientNow)
        #expect(opaque.code == .content)
        #expect(opaque.payload == [1, 2, 3])
        #expect(opaque.contentFormat == 42)
        let refused = tree.handle(clientRequest(.get, "/3/0/0", accept: .opaque), now: clientNow)
        #expect(refused.code == .notAcceptable)
        #expect(!refused.payload.isEmpty)
    }

    @Test(arguments: clientNodeFormats)
    func instanceInEveryMultiValueFormat(format: ContentFormat) throws {
        var tree = clientTree()
        let response = tree.handle(clientRequest(.get, "/3/0", accept: format), now: clientNow)
        #expect(response.code == .content)
        #expect(try clientDecode(response, at: "/3/0") == .objectInstance(clientDeviceInstance))
    }

    @Test(arguments: clientNodeFormats)
    func objectAndMultipleResourceInEveryMultiValueFormat(format: ContentFormat) throws {
        var tree = clientTree()
        try tree.setInstance(clientInstance(3, [.single(id: 5700, value: .float(-4))]), of: 3303)
        let object = tree.handle(clientRequest(.get, "/3303", accept: format), now: clientNow)
        #expect(object.code == .content)
        guard case .object(let decoded) = try clientDecode(object, at: "/3303") else {
            Issue.record("not an object")
            return
        }
        #expect(decoded.instances.keys.sorted() == [0, 3])
        #expect(decoded.instances[3]?.resources[5700]?.value == .float(-4))
        #expect(decoded.instances[0]?.resources[5701]?.value == .string("Cel"))

        let multiple = tree.handle(clientRequest(.get, "/3/0/7", accept: format), now: clientNow)
        #expect(try clientDecode(multiple, at: "/3/0/7") == .resource(clientMultiple(7, .integer, [0: .integer(3800), 1: .integer(5000)])))
    }

    @Test func resourceInstanceAsTextAndCBOR() throws {
        var tree = clientTree()
        let text = tree.handle(clientRequest(.get, "/3/0/6/1", accept: .text), now: clientNow)
        #expect(clientText(text) == "5")
        let cbor = tree.handle(clientRequest(.get, "/3/0/6/1", accept: .cbor), now: clientNow)
        #expect(cbor.payload == [0x05])
    }

    @Test func withoutAcceptTheDefaultFormatAnswers() throws {
        var tree = clientTree(defaultFormat: .senmlCBOR)
        let response = tree.handle(clientRequest(.get, "/3303/0/5701"), now: clientNow)
        #expect(response.contentFormat == 112)
        #expect(try clientDecode(response, at: "/3303/0/5701") == .singleResource(id: 5701, value: .string("Cel")))
        var tlvTree = clientTree()
        #expect(tlvTree.handle(clientRequest(.get, "/3/0"), now: clientNow).contentFormat == 11542)
    }

    @Test func legacyAcceptNumbersAreEchoed() throws {
        var tree = clientTree()
        let response = tree.handle(clientRequest(.get, "/3/0/1", accept: .legacyTLV), now: clientNow)
        #expect(response.code == .content)
        #expect(response.contentFormat == 1542)
        #expect(try clientDecode(response, at: "/3/0/1") == .singleResource(id: 1, value: .string("sim-model")))
    }

    @Test func emptyObjectReadsAsEmptyContent() {
        var tree = clientTree()
        let tlv = tree.handle(clientRequest(.get, "/3304", accept: .tlv), now: clientNow)
        #expect(tlv.code == .content)
        #expect(tlv.payload.isEmpty)
        let senml = tree.handle(clientRequest(.get, "/3304", accept: .senmlJSON), now: clientNow)
        #expect(clientText(senml) == "[]")
    }

    @Test func objectAndInstanceReadsLeaveOutUnreadableResources() throws {
        var tree = clientTree()
        let write = tree.handle(clientRequest(.put, "/5/0/0", format: .opaque, payload: [0xde, 0xad]), now: clientNow)
        #expect(write.code == .changed)
        #expect(tree.value(at: clientPath("/5/0/0")) == .opaque([0xde, 0xad]))
        let response = tree.handle(clientRequest(.get, "/5/0", accept: .senmlJSON), now: clientNow)
        guard case .objectInstance(let instance) = try clientDecode(response, at: "/5/0") else {
            Issue.record("not an instance")
            return
        }
        #expect(instance.resources.keys.sorted() == [1, 3, 5])
    }

    @Test(arguments: [
        ("/3/0/999", CoAPCode.notFound), ("/3/1", .notFound), ("/42", .notFound), ("/42/0/1", .notFound),
        ("/3/0/6/9", .notFound), ("/3/0/0/0", .notFound), ("/3/0/8", .notFound), ("/3303/0/5603", .notFound),
        ("/3303/0/5605", .methodNotAllowed), ("/3/0/4", .methodNotAllowed), ("/3/0/12", .methodNotAllowed),
        ("/5/0/0", .methodNotAllowed), ("/", .methodNotAllowed), ("/0/0", .unauthorized), ("/0", .unauthorized),
        ("/abc", .notFound), ("/3/00", .notFound), ("/65536", .notFound), ("/3/65535", .notFound),
    ])
    func failures(path: String, code: CoAPCode) {
        var tree = clientTree()
        let response = tree.handle(clientRequest(.get, path, accept: .tlv), now: clientNow)
        #expect(response.code == code, "\(path): \(response.payloadText)")
        #expect(response.payloadText.count > 3, "a diagnostic for \(path)")
        #expect(response.contentFormat == nil)
    }

    @Test func unknownAndNodeIncapableFormatsAreNotAcceptable() {
        var tree = clientTree()
        #expect(tree.handle(clientRequest(.get, "/3/0", accept: .text), now: clientNow).code == .notAcceptable)
        #expect(tree.handle(clientRequest(.get, "/3/0/6", accept: .cbor), now: clientNow).code == .notAcceptable)
        #expect(tree.handle(clientRequest(.get, "/3/0", accept: ContentFormat(rawValue: 9999)), now: clientNow).code
            == .notAcceptable)
        #expect(tree.handle(clientRequest(.get, "/3", accept: .opaque), now: clientNow).code == .notAcceptable)
    }

    @Test func observeOptionIsAnsweredAsARead() throws {
        var tree = clientTree()
        var request = clientRequest(.get, "/3303/0/5700", accept: .text)
        request.observe = 0
        let response = tree.handle(request, now: clientNow)
        #expect(response.code == .content)
        #expect(clientText(response) == "21.5")
        #expect(response.observe == nil)
    }
}
