import Foundation
import Testing
@testable import CoAP
@testable import LwM2M

/// LwM2M JSON names single resources from the instance; device times are range-checked; an empty instance is
/// created in a format that carries its id.
@Suite("Codec edge cases: LwM2M JSON base names, the device time range, an empty instance's Create")
struct CodecEdgeCaseTests {
    let model = CodecTestModel.standard
    let codecs = LwM2MCodecRegistry.standard

    @Test("a single resource is written as bn = instance, n = resource id (LwM2M 1.0 Core §6.4.4) and reads back")
    func singleResourceForm() throws {
        let node = LwM2MNode.singleResource(id: 14, value: .string("+03:00"))
        let bytes = try LeafFormatCodec.lwm2mJSON.encode(node, at: lwPath("/3/0/14"), model: model)
        #expect(bytes == utf8Bytes(#"{"bn":"/3/0/","e":[{"n":"14","sv":"+03:00"}]}"#))
        #expect(try LeafFormatCodec.lwm2mJSON.decode(bytes, at: lwPath("/3/0/14"), model: model) == node)
        // The old form still decodes.
        #expect(try LeafFormatCodec.lwm2mJSON.decode(utf8Bytes(#"{"bn":"/3/0/14","e":[{"sv":"+03:00"}]}"#), at: lwPath("/3/0/14"),
                                             model: model) == node)
    }

    @Test("a multiple resource and a resource instance are named from the instance, and read back")
    func multipleResourceForm() throws {
        let node = LwM2MNode.resource(try .multiple(id: 7, type: .integer, instances: [0: .integer(3800), 1: .integer(5000)]))
        let bytes = try LeafFormatCodec.lwm2mJSON.encode(node, at: lwPath("/3/0/7"), model: model)
        #expect(bytes == utf8Bytes(#"{"bn":"/3/0/","e":[{"n":"7/0","v":3800},{"n":"7/1","v":5000}]}"#))
        #expect(try LeafFormatCodec.lwm2mJSON.decode(bytes, at: lwPath("/3/0/7"), model: model) == node)
        let instance = try LeafFormatCodec.lwm2mJSON.decode(
            utf8Bytes(#"{"bn":"/3/0/","e":[{"n":"7/1","v":5000}]}"#), at: lwPath("/3/0/7/1"), model: model)
        let encoded = try LeafFormatCodec.lwm2mJSON.encode(instance, at: lwPath("/3/0/7/1"), model: model)
        #expect(encoded == utf8Bytes(#"{"bn":"/3/0/","e":[{"n":"7/1","v":5000}]}"#))
        #expect(try LeafFormatCodec.lwm2mJSON.decode(encoded, at: lwPath("/3/0/7/1"), model: model) == instance)
    }

    @Test("SenML JSON times outside 1970…9999 are refused", arguments: ["1e16", "1e300", "-1e300", "1e15"])
    func senmlJSONTimeOutOfRange(time: String) {
        let payload = utf8Bytes(#"[{"n":"/3303/0/5700","v":1,"t":"# + time + "}]")
        #expect(throws: LwM2MCodecError.self) {
            try codecs.decodeTimestamped(payload, format: .senmlJSON, paths: nil, model: model)
        }
        let lwm2mJSON = utf8Bytes(#"{"bn":"/3303/0/","e":[{"n":"5700","v":1,"t":"# + time + "}]}")
        #expect(throws: LwM2MCodecError.self) {
            try codecs.decodeTimestamped(lwm2mJSON, format: .lwm2mJSON, paths: nil, model: model)
        }
    }

    @Test("in-range absolute and relative times still decode")
    func senmlJSONTimeInRange() throws {
        for time in ["1795395723", "-5", "253402300799"] {
            let payload = utf8Bytes(#"[{"n":"/3303/0/5700","v":1,"t":"# + time + "}]")
            #expect(try codecs.decodeTimestamped(payload, format: .senmlJSON, paths: nil, model: model).count == 1)
        }
    }

    @Test("SenML CBOR NaN and infinite times are refused", arguments: [[0xF9, 0x7E, 0x00], [0xF9, 0x7C, 0x00], [0xF9, 0xFC, 0x00]] as [[UInt8]])
    func senmlCBORNonFinite(time: [UInt8]) {
        // [{0: "/3303/0/5700", 2: 1, 6: <half float>}]
        let payload: [UInt8] = [0x81, 0xA3, 0x00, 0x6C] + Array("/3303/0/5700".utf8) + [0x02, 0x01, 0x06] + time
        #expect(throws: (any Error).self) {
            try codecs.decodeTimestamped(payload, format: .senmlCBOR, paths: nil, model: model)
        }
    }

    @Test("an empty instance is created with TLV (which carries its id); SenML refuses it")
    func createEmptyInstance() throws {
        let instance = try LwM2MObjectInstance(id: 5, resources: [])
        let encoder = DeviceRequestEncoder(model: ObjectModelRegistry.loadBuiltin().registry)
        #expect(throws: DeviceRequestError.self) {
            try encoder.coapRequest(for: .create(objectID: 33605, instance: instance), format: .senmlJSON, rootPath: "/")
        }
        let tlv = try encoder.coapRequest(for: .create(objectID: 33605, instance: instance), format: .tlv, rootPath: "/")
        #expect(tlv.payload == [0x00, 0x05])  // Object Instance, id 5, length 0 (LwM2M 1.1 Core §7.4.3)
        let registration = Registration(
            id: "r", endpoint: "x", lwm2mVersion: .v1_1, binding: "U", queueMode: false, lifetime: 60, objectLinks: [],
            address: "127.0.0.1:1", registeredAt: Date(), lastUpdate: Date())
        #expect(ContentFormatNegotiation.create(instance, for: registration) == .tlv)
    }
}
