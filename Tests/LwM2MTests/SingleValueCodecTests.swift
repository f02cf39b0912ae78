import Testing
@testable import LwM2M

@Suite("Plain text codec (0)")
struct TextCodecTests {
    let codec = TextCodec()
    let model = CodecTestModel.standard

    @Test("decodes and encodes each data type")
    func values() throws {
        let cases: [(String, String, LwM2MValue)] = [
            ("/3/0/0", "MyManufacturer", .string("MyManufacturer")),
            ("/3/0/9", "100", .integer(100)),
            ("/3/0/9", "-9223372036854775808", .integer(Int64.min)),
            ("/1/0/11", "18446744073709551615", .unsignedInteger(UInt64.max)),
            ("/3303/0/5700", "-23.1", .float(-23.1)),
            ("/3303/0/5700", "1e+20", .float(1e20)),
            ("/1/0/6", "1", .boolean(true)),
            ("/1/0/6", "0", .boolean(false)),
            ("/5/0/0", "AQIDBAU=", .opaque([1, 2, 3, 4, 5])),
            ("/3/0/13", "1367491215", .time(1_367_491_215)),
            ("/1/0/10", "66:1", .objlnk(objectID: 66, instanceID: 1)),
            ("/9999/0/8", "</3/0>;pmin=10", AllTypes.samples(.corelnk)[0]),
        ]
        for (text, payload, value) in cases {
            let at = lwPath(text)
            let node = LwM2MNode.singleResource(id: at.resourceID!, value: value)
            #expect(try codec.decode(utf8Bytes(payload), at: at, model: model) == node, "\(text) \(payload)")
            #expect(try codec.encode(node, at: at, model: model) == utf8Bytes(payload), "\(text) \(payload)")
        }
        #expect(try codec.decode(utf8Bytes("1.5E3"), at: lwPath("/3303/0/5700"), model: model)
            == .singleResource(id: 5700, value: .float(1500)))
        #expect(try codec.decode(utf8Bytes("20"), at: lwPath("/3303/0/5700"), model: model)
            == .singleResource(id: 5700, value: .float(20)))
        #expect(try codec.encode(.singleResource(id: 5700, value: .float(20)), at: lwPath("/3303/0/5700"), model: model)
            == utf8Bytes("20.0"))
        #expect(try codec.decode(utf8Bytes("AQIDBAU"), at: lwPath("/5/0/0"), model: model)
            == .singleResource(id: 0, value: .opaque([1, 2, 3, 4, 5])))
    }

    @Test("unknown resources decode as strings; resource instances are supported")
    func unknownAndInstances() throws {
        #expect(try codec.decode(utf8Bytes("42"), at: lwPath("/4242/0/1"), model: model)
            == .singleResource(id: 1, value: .string("42")))
        let instance = LwM2MNode.resourceInstance(LwM2MResourceInstance(id: 1, value: .integer(5000)))
        #expect(try codec.decode(utf8Bytes("5000"), at: lwPath("/3/0/7/1"), model: model) == instance)
        #expect(try codec.encode(instance, at: lwPath("/3/0/7/1"), model: model) == utf8Bytes("5000"))
    }

    @Test("rejects invalid text for the declared type", arguments: [
        ("/3/0/9", "+5"), ("/3/0/9", "1.0"), ("/3/0/9", "9223372036854775808"), ("/3/0/9", ""), ("/1/0/11", "-1"),
        ("/3303/0/5700", "inf"), ("/3303/0/5700", "nan"), ("/3303/0/5700", "0x1p3"), ("/3303/0/5700", "1."),
        ("/3303/0/5700", ".5"), ("/3303/0/5700", "1e999"), ("/1/0/6", "2"), ("/1/0/6", "true"),
        ("/5/0/0", "!,-INVALID$_'"), ("/1/0/10", "66"), ("/1/0/10", "66:65536"), ("/1/0/10", "a:b"),
        ("/9999/0/8", "<unterminated"),
    ])
    func invalid(_ pathText: String, _ payload: String) {
        expectCodecError(.invalidValue) { () throws(LwM2MCodecError) in
            try codec.decode(utf8Bytes(payload), at: lwPath(pathText), model: model)
        }
    }

    @Test("only single values: other nodes, executables and non-UTF-8 are errors")
    func restrictions() {
        expectCodecError(.unsupportedNode) { () throws(LwM2MCodecError) in try codec.decode(utf8Bytes("1"), at: lwPath("/3/0"), model: model) }
        expectCodecError(.unsupportedNode) { () throws(LwM2MCodecError) in try codec.decode(utf8Bytes("1"), at: lwPath("/3/0/6"), model: model) }
        expectCodecError(.unsupportedNode) { () throws(LwM2MCodecError) in
            try codec.encode(.objectInstance(DeviceExample.instance), at: lwPath("/3/0"), model: model)
        }
        expectCodecError(.typeMismatch) { () throws(LwM2MCodecError) in try codec.decode(utf8Bytes(""), at: lwPath("/3/0/4"), model: model) }
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in try codec.decode([0xC3, 0x28], at: lwPath("/3/0/0"), model: model) }
        expectCodecError(.invalidValue) { () throws(LwM2MCodecError) in
            try codec.encode(.singleResource(id: 5700, value: .float(.nan)), at: lwPath("/3303/0/5700"), model: model)
        }
    }
}

@Suite("Opaque codec (42)")
struct OpaqueCodecTests {
    let codec = OpaqueCodec()
    let model = CodecTestModel.standard

    @Test("carries the raw bytes of opaque resources")
    func roundTrip() throws {
        let node = LwM2MNode.singleResource(id: 0, value: .opaque([0, 0xFF, 0x10]))
        #expect(try codec.encode(node, at: lwPath("/5/0/0"), model: model) == [0, 0xFF, 0x10])
        #expect(try codec.decode([0, 0xFF, 0x10], at: lwPath("/5/0/0"), model: model) == node)
        #expect(try codec.decode([], at: lwPath("/5/0/0"), model: model) == .singleResource(id: 0, value: .opaque([])))
        #expect(try codec.decode([7], at: lwPath("/4242/0/3/1"), model: model)
            == .resourceInstance(LwM2MResourceInstance(id: 1, value: .opaque([7]))))
    }

    @Test("non-opaque resources and nodes are rejected")
    func errors() {
        expectCodecError(.typeMismatch) { () throws(LwM2MCodecError) in try codec.decode([1], at: lwPath("/3/0/9"), model: model) }
        expectCodecError(.typeMismatch) { () throws(LwM2MCodecError) in
            try codec.encode(.singleResource(id: 4, value: .integer(1)), at: lwPath("/4242/0/4"), model: model)
        }
        expectCodecError(.unsupportedNode) { () throws(LwM2MCodecError) in try codec.decode([1], at: lwPath("/5/0"), model: model) }
    }
}
