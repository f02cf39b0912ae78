import CoAP
import Testing

@testable import LwM2M

/// The server side of DM operations: CoAP mapping (LwM2M 1.1 Transport §6.3) and format negotiation.
struct DeviceRequestEncoderTests {
    let model = ObjectModelRegistry.loadBuiltin().registry
    var encoder: DeviceRequestEncoder { DeviceRequestEncoder(model: model) }

    @Test func negotiationFollowsVersionAndAnnouncedFormats() {
        #expect(ContentFormatNegotiation.preferred(version: .v1_0, announced: [112]) == .tlv)
        #expect(ContentFormatNegotiation.preferred(version: .v1_1, announced: [110, 112]) == .senmlCBOR)
        #expect(ContentFormatNegotiation.preferred(version: .v1_2, announced: [110]) == .senmlJSON)
        #expect(ContentFormatNegotiation.preferred(version: .v1_1, announced: []) == .senmlJSON)
        #expect(ContentFormatNegotiation.preferred(version: .v1_1, announced: [11542]) == .tlv)
        #expect(ContentFormatNegotiation.preferred(version: .v1_1, announced: [1542]) == .tlv)
    }

    @Test func readAndDiscoverAreGETsUnderTheRootPath() throws {
        let read = try encoder.coapRequest(for: .read(LwM2MPath("/3/0")), format: .tlv, rootPath: "/lwm2m/")
        #expect(read.method == .get)
        #expect(read.uriPath == ["lwm2m", "3", "0"])
        #expect(read.accept == 11542)
        #expect(read.payload.isEmpty)
        let discover = try encoder.coapRequest(for: .discover(LwM2MPath("/3")), format: .senmlCBOR, rootPath: "/")
        #expect(discover.uriPath == ["3"])
        #expect(discover.accept == 40)
        #expect(throws: DeviceRequestError.self) {
            try encoder.coapRequest(for: .discover(.root), format: .tlv, rootPath: "/")
        }
    }

    @Test func writeReplaceIsPUTAndUpdateIsPOSTWithTheEncodedNode() throws {
        let path = try LwM2MPath("/1/0/1")
        let node = LwM2MNode.resource(.single(id: 1, value: .integer(300)))
        let put = try encoder.coapRequest(for: .write(path, node, mode: .replace), format: .tlv, rootPath: "/")
        #expect(put.method == .put)
        #expect(put.contentFormat == 11542)
        #expect(put.payload == [0xC2, 0x01, 0x01, 0x2C])  // resource 1, 2-byte integer 300
        let post = try encoder.coapRequest(
            for: .write(try LwM2MPath("/1/0"), .objectInstance(try LwM2MObjectInstance(id: 0, resources: [.single(id: 1, value: .integer(300))])), mode: .update),
            format: .senmlJSON, rootPath: "/")
        #expect(post.method == .post)
        #expect(post.contentFormat == 110)
        let decoded = try LwM2MCodecRegistry.standard.decode(post.payload, format: .senmlJSON, path: LwM2MPath("/1/0"), model: model)
        guard case .objectInstance(let instance) = decoded else { Issue.record("expected an instance"); return }
        #expect(instance.resources[1]?.content == .single(.integer(300)))
        #expect(instance.resources.count == 1)
        #expect(throws: DeviceRequestError.self) {
            try encoder.coapRequest(for: .write(try LwM2MPath("/1"), node, mode: .replace), format: .tlv, rootPath: "/")
        }
    }

    @Test func writeAttributesExecuteDeleteCreate() throws {
        let attrs = try encoder.coapRequest(
            for: .writeAttributes(LwM2MPath("/3303/0/5700"), NotificationAttributes(pmin: 10, pmax: 60, gt: 25.5, unset: ["st"])),
            format: .tlv, rootPath: "/")
        #expect(attrs.method == .put)
        #expect(attrs.uriQuery == ["pmin=10", "pmax=60", "gt=25.5", "st"])
        #expect(attrs.payload.isEmpty && attrs.contentFormat == nil)

        let execute = try encoder.coapRequest(for: .execute(LwM2MPath("/3/0/4"), arguments: "0='x'"), format: .tlv, rootPath: "/")
        #expect(execute.method == .post)
        #expect(execute.payload == Array("0='x'".utf8))
        #expect(throws: DeviceRequestError.self) {
            try encoder.coapRequest(for: .execute(LwM2MPath("/3/0"), arguments: nil), format: .tlv, rootPath: "/")
        }

        let delete = try encoder.coapRequest(for: .delete(LwM2MPath("/3303/1")), format: .tlv, rootPath: "/")
        #expect(delete.method == .delete && delete.uriPath == ["3303", "1"])
        #expect(throws: DeviceRequestError.self) {
            try encoder.coapRequest(for: .delete(LwM2MPath("/3303")), format: .tlv, rootPath: "/")
        }

        let instance = try LwM2MObjectInstance(id: 7, resources: [.single(id: 5700, value: .float(21.5))])
        let create = try encoder.coapRequest(for: .create(objectID: 3303, instance: instance), format: .tlv, rootPath: "/")
        #expect(create.method == .post && create.uriPath == ["3303"])
        let decoded = try LwM2MCodecRegistry.standard.decode(create.payload, format: .tlv, path: LwM2MPath("/3303"), model: model)
        #expect(decoded == .object(try LwM2MObject(id: 3303, instances: [instance])))
    }

    @Test func compositeOperationsUseSenMLOnTheRoot() throws {
        let fetch = try encoder.coapRequest(
            for: .readComposite([try LwM2MPath("/3/0/0"), try LwM2MPath("/3/0/9")]), format: .senmlJSON, rootPath: "/")
        #expect(fetch.method == .fetch)
        #expect(fetch.uriPath.isEmpty)
        #expect(fetch.contentFormat == 110 && fetch.accept == 110)
        #expect(String(decoding: fetch.payload, as: UTF8.self) == #"[{"n":"/3/0/0"},{"n":"/3/0/9"}]"#)
        #expect(throws: DeviceRequestError.self) {
            try encoder.coapRequest(for: .readComposite([try LwM2MPath("/3/0/0")]), format: .tlv, rootPath: "/")
        }
        let patch = try encoder.coapRequest(
            for: .writeComposite([try LwM2MPath("/1/0/1"): .resource(.single(id: 1, value: .integer(60)))]),
            format: .senmlCBOR, rootPath: "/")
        #expect(patch.method == .iPatch && patch.contentFormat == 112)
    }

    @Test func answersBecomeResponsesOrErrors() throws {
        let path = try LwM2MPath("/3/0/0")
        let content = try encoder.response(
            to: .read(path), CoAPResponse(code: .content, contentFormat: 0, payload: Array("ACME".utf8)),
            requestedFormat: .tlv, rootPath: "/")
        #expect(content == .content(.resource(.single(id: 0, value: .string("ACME"))), format: .text))

        do {
            _ = try encoder.response(to: .read(path), .error(.notFound, "nope"), requestedFormat: .tlv, rootPath: "/")
            Issue.record("expected a device error")
        } catch {
            #expect(error.kind == .deviceError)
            #expect(error.coapCode == .notFound)
            #expect(error.message == "nope")
        }

        do {
            _ = try encoder.response(
                to: .read(try LwM2MPath("/3/0")), CoAPResponse(code: .content, contentFormat: 11542, payload: [0xC8, 0x00]),
                requestedFormat: .tlv, rootPath: "/")
            Issue.record("expected an invalid response")
        } catch let error as DeviceRequestError {
            #expect(error.kind == .invalidResponse)
        }

        do {
            _ = try encoder.response(
                to: .read(try LwM2MPath("/4/0")), CoAPResponse(code: .changed), requestedFormat: .tlv, rootPath: "/")
            Issue.record("a 2.04 answer to a Read must be refused")
        } catch let error as DeviceRequestError {
            #expect(error.kind == .invalidResponse)
        }

        let instance = try LwM2MObjectInstance(id: 0, resources: [])
        let created = try encoder.response(
            to: .create(objectID: 3303, instance: instance), CoAPResponse(code: .created, locationPath: ["lwm2m", "3303", "4"]),
            requestedFormat: .tlv, rootPath: "/lwm2m/")
        #expect(created == .created(try LwM2MPath("/3303/4")))
        #expect(try encoder.response(to: .delete(LwM2MPath("/3303/4")), CoAPResponse(code: .deleted), requestedFormat: .tlv, rootPath: "/") == .deleted)
    }
}
