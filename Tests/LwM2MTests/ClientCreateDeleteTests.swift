import CoAP
import Foundation
import Testing
@testable import LwM2M

/// Create (POST on an object) and Delete (DELETE on an instance) on the client tree.
struct ClientCreateDeleteTests {
    static let sensor = [LwM2MResource.single(id: 5700, value: .float(18.5)), .single(id: 5701, value: .string("Cel"))]

    func objectPayload(_ instanceID: UInt16, _ format: ContentFormat) -> [UInt8] {
        let object = try! LwM2MObject(id: 3303, instances: [clientInstance(instanceID, Self.sensor)])
        return clientEncode(.object(object), at: "/3303", format)
    }

    @Test(arguments: clientNodeFormats)
    func createWithTheIdInThePayload(format: ContentFormat) {
        var tree = clientTree()
        let outcome = tree.process(
            clientRequest(.post, "/3303", format: format, payload: objectPayload(7, format)), now: clientNow)
        #expect(outcome.response.code == .created, "\(format): \(outcome.response.payloadText)")
        #expect(outcome.response.locationPath == ["3303", "7"])
        #expect(outcome.event == .instanceCreated(clientPath("/3303/7")))
        #expect(outcome.changesRegistrationLinks)
        #expect(tree.node(at: clientPath("/3303/7")) == .objectInstance(clientInstance(7, Self.sensor)))
        #expect(tree.executables(objectID: 3303, instanceID: 7) == [5605])
        #expect(tree.instanceIDs(of: 3303) == [0, 7])
    }

    @Test func tlvWithoutTheInstanceRecordTakesTheLowestFreeId() {
        var tree = clientTree()
        try! tree.setInstance(clientInstance(1, Self.sensor), of: 3303)
        let payload = clientEncode(.objectInstance(clientInstance(9, Self.sensor)), at: "/3303/9", .tlv)
        let response = tree.handle(clientRequest(.post, "/3303", format: .tlv, payload: payload), now: clientNow)
        #expect(response.code == .created)
        #expect(response.locationPath == ["3303", "2"])
        #expect(tree.value(at: clientPath("/3303/2/5700")) == .float(18.5))
    }

    @Test func emptyPayloadCreatesAnEmptyInstanceInAnEmptyObject() {
        var tree = clientTree()
        let response = tree.handle(clientRequest(.post, "/3304"), now: clientNow)
        #expect(response.code == .created)
        #expect(response.locationPath == ["3304", "0"])
        #expect(tree.node(at: clientPath("/3304/0")) == .objectInstance(clientInstance(0, [])))
        let links = LinkFormat.serialize(tree.registrationLinks())
        #expect(links.hasSuffix("</3304>;ver=1.1,</3304/0>"))
    }

    @Test func emptySenMLPackCreatesWithTheLowestFreeId() {
        var tree = clientTree()
        let response = tree.handle(clientRequest(.post, "/3303", format: .senmlJSON, payload: utf8Bytes("[]")), now: clientNow)
        #expect(response.code == .created)
        #expect(response.locationPath == ["3303", "1"])
    }

    @Test func failures() {
        var tree = clientTree()
        func create(_ path: String, _ format: ContentFormat?, _ payload: [UInt8]) -> CoAPResponse {
            tree.handle(clientRequest(.post, path, format: format, payload: payload), now: clientNow)
        }
        #expect(create("/3303", .tlv, objectPayload(0, .tlv)).code == .badRequest)  // id in use
        #expect(create("/42", .tlv, objectPayload(0, .tlv)).code == .notFound)
        #expect(create("/3313", .tlv, objectPayload(0, .tlv)).code == .notFound)  // known to the model, not supported
        #expect(create("/0", .tlv, objectPayload(0, .tlv)).code == .unauthorized)
        let device = try! LwM2MObject(id: 3, instances: [clientInstance(1, [.single(id: 14, value: .string("Z"))])])
        #expect(create("/3", .tlv, clientEncode(.object(device), at: "/3", .tlv)).code == .badRequest)  // single instance
        let two = try! LwM2MObject(id: 3303, instances: [clientInstance(5, Self.sensor), clientInstance(6, Self.sensor)])
        #expect(create("/3303", .senmlJSON, clientEncode(.object(two), at: "/3303", .senmlJSON)).code == .badRequest)
        #expect(create("/3303", .senmlJSON, utf8Bytes(#"[{"n":"/3303/4/9999","v":1}]"#)).code == .badRequest)
        #expect(create("/3303", .senmlJSON, utf8Bytes(#"[{"n":"/3304/4/5700","v":1}]"#)).code == .badRequest)
        #expect(create("/3303", .senmlJSON, utf8Bytes(#"[{"n":"/3303/4/5700","vs":"hot"}]"#)).code == .badRequest)
        #expect(create("/3303", .tlv, [0x08, 0x04, 0x05]).code == .badRequest)
        #expect(create("/3303", .text, utf8Bytes("21")).code == .unsupportedContentFormat)
        #expect(create("/3303", ContentFormat(rawValue: 1234), [1]).code == .unsupportedContentFormat)
        #expect(create("/3303", nil, [1]).code == .badRequest)
        #expect(tree.instanceIDs(of: 3303) == [0])
        #expect(tree.instanceIDs(of: 3) == [0])
    }

    @Test func deleteRemovesTheInstanceAndItsLinks() {
        var tree = clientTree()
        let outcome = tree.process(clientRequest(.delete, "/3303/0"), now: clientNow)
        #expect(outcome.response.code == .deleted)
        #expect(outcome.event == .instanceDeleted(clientPath("/3303/0")))
        #expect(outcome.changesRegistrationLinks)
        #expect(tree.instanceIDs(of: 3303) == [])
        #expect(LinkFormat.serialize(tree.registrationLinks()).contains("</3303>;ver=1.1,</3304>"))
        #expect(tree.handle(clientRequest(.get, "/3303/0/5700", accept: .text), now: clientNow).code == .notFound)
        #expect(tree.handle(clientRequest(.delete, "/3303/0"), now: clientNow).code == .notFound)
    }

    @Test(arguments: [
        ("/3303", CoAPCode.methodNotAllowed), ("/3303/0/5700", .methodNotAllowed), ("/3/0/6/0", .methodNotAllowed),
        ("/", .methodNotAllowed), ("/3/0", .methodNotAllowed), ("/3303/4", .notFound), ("/42/0", .notFound),
        ("/0/0", .unauthorized),
    ])
    func deleteFailures(path: String, code: CoAPCode) {
        var tree = clientTree()
        let outcome = tree.process(clientRequest(.delete, path), now: clientNow)
        #expect(outcome.response.code == code, "\(path)")
        #expect(outcome.event == nil)
        #expect(tree.instanceIDs(of: 3303) == [0])
    }

    @Test func createAfterDeleteReusesTheId() {
        var tree = clientTree()
        _ = tree.handle(clientRequest(.delete, "/3303/0"), now: clientNow)
        let payload = clientEncode(.objectInstance(clientInstance(0, Self.sensor)), at: "/3303/0", .tlv)
        let response = tree.handle(clientRequest(.post, "/3303", format: .tlv, payload: payload), now: clientNow)
        #expect(response.locationPath == ["3303", "0"])
    }
}
