import Testing
@testable import LwM2M

/// SenML vectors: RFC 8428 §5.1.1 and §5.1.4 (JSON) and §6 (the CBOR representation of §5.1.4), and the
/// "Read on Device instance" example of LwM2M 1.1 Core §7.4.5.
enum SenMLVectors {
    static let rfcSingleDatapoint = #"[{"n":"urn:dev:ow:10e2073a01080063","u":"Cel","v":23.1}]"#

    static let rfcMultipleMeasurementsJSON = """
        [
         {"bn":"urn:dev:ow:10e2073a0108006:","bt":1.276020076001e+09,
          "bu":"A","bver":5,
          "n":"voltage","u":"V","v":120.1},
         {"n":"current","t":-5,"v":1.2},
         {"n":"current","t":-4,"v":1.3},
         {"n":"current","t":-3,"v":1.4},
         {"n":"current","t":-2,"v":1.5},
         {"n":"current","t":-1,"v":1.6},
         {"n":"current","v":1.7}
        ]
        """

    static let rfcMultipleMeasurementsCBOR = """
        87 a7 21 78 1b 75 72 6e 3a 64 65 76 3a 6f 77 3a
        31 30 65 32 30 37 33 61 30 31 30 38 30 30 36 3a
        22 fb 41 d3 03 a1 5b 00 10 62 23 61 41 20 05 00
        67 76 6f 6c 74 61 67 65 01 61 56 02 fb 40 5e 06
        66 66 66 66 66 a3 00 67 63 75 72 72 65 6e 74 06
        24 02 fb 3f f3 33 33 33 33 33 33 a3 00 67 63 75
        72 72 65 6e 74 06 23 02 fb 3f f4 cc cc cc cc cc
        cd a3 00 67 63 75 72 72 65 6e 74 06 22 02 fb 3f
        f6 66 66 66 66 66 66 a3 00 67 63 75 72 72 65 6e
        74 06 21 02 f9 3e 00 a3 00 67 63 75 72 72 65 6e
        74 06 20 02 fb 3f f9 99 99 99 99 99 9a a3 00 67
        63 75 72 72 65 6e 74 06 00 02 fb 3f fb 33 33 33
        33 33 33
        """

    static let lwm2mDeviceInstance = """
        [{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"1","vs":"Lightweight M2M Client"},\
        {"n":"2","vs":"345000123"},{"n":"3","vs":"1.0"},{"n":"6/0","v":1},{"n":"6/1","v":5},{"n":"7/0","v":3800},\
        {"n":"7/1","v":5000},{"n":"8/0","v":125},{"n":"8/1","v":900},{"n":"9","v":100},{"n":"10","v":15},\
        {"n":"11/0","v":0},{"n":"13","v":1367491215},{"n":"14","vs":"+02:00"},{"n":"16","vs":"U"}]
        """
}

@Suite("SenML pack (RFC 8428)")
struct SenMLPackTests {
    @Test("RFC 8428 §5.1.1 single datapoint")
    func singleDatapoint() throws {
        let pack = try SenMLPack(json: utf8Bytes(SenMLVectors.rfcSingleDatapoint))
        #expect(pack.records == [SenMLRecord(name: "urn:dev:ow:10e2073a01080063", unit: "Cel", value: .float(23.1))])
        #expect(try pack.jsonBytes() == utf8Bytes(SenMLVectors.rfcSingleDatapoint))
    }

    @Test("RFC 8428 §5.1.4 JSON and its §6 CBOR representation decode to the same resolved records")
    func multipleMeasurements() throws {
        let json = try SenMLPack(json: utf8Bytes(SenMLVectors.rfcMultipleMeasurementsJSON))
        let cbor = try SenMLPack(cbor: hexBytes(SenMLVectors.rfcMultipleMeasurementsCBOR))
        #expect(json.records.count == 7 && cbor.records.count == 7)
        #expect(json.records[0] == SenMLRecord(
            baseName: "urn:dev:ow:10e2073a0108006:", baseTime: .float(1_276_020_076.001), baseUnit: "A",
            baseVersion: 5, name: "voltage", unit: "V", value: .float(120.1)))
        #expect(cbor.records[0] == json.records[0])
        #expect(cbor.records[4].value == .float(1.5))
        #expect(cbor.records[6].time == .integer(0) && json.records[6].time == nil)
        let resolved = try json.resolved()
        #expect(try cbor.resolved() == resolved)
        #expect(resolved[0].name == "urn:dev:ow:10e2073a0108006:voltage")
        #expect(resolved[1].name == "urn:dev:ow:10e2073a0108006:current")
        #expect(resolved[1].time == 1_276_020_076.001 - 5)
        #expect(resolved[6].time == 1_276_020_076.001)
        #expect(resolved.map(\.value) == [120.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7].map { WireNumber.float($0) })
    }

    @Test("RFC 8428 §6 CBOR re-encodes byte for byte (integer labels, shortest floats)")
    func cborReencode() throws {
        let bytes = hexBytes(SenMLVectors.rfcMultipleMeasurementsCBOR)
        #expect(bytes.count == 0xC3)
        #expect(try SenMLPack(cbor: bytes).cborBytes() == bytes)
    }

    @Test("JSON round trip keeps integers and floats apart")
    func jsonRoundTrip() throws {
        let pack = SenMLPack(records: [
            SenMLRecord(baseName: "/3/0/", baseTime: .integer(268_500_000), name: "9", value: .integer(100)),
            SenMLRecord(name: "13", time: .float(-0.5), value: .unsigned(UInt64.max)),
            SenMLRecord(name: "0", stringValue: "\u{1}\"é"),
            SenMLRecord(name: "1", booleanValue: false),
            SenMLRecord(name: "2", dataValue: [0xFB, 0xFF]),
            SenMLRecord(name: "3", objectLinkValue: "66:1"),
            SenMLRecord(name: "4", value: .float(20)),
        ])
        let json = try pack.jsonBytes()
        #expect(String(decoding: json, as: UTF8.self) == """
            [{"bn":"/3/0/","bt":268500000,"n":"9","v":100},{"n":"13","t":-0.5,"v":18446744073709551615},\
            {"n":"0","vs":"\\u0001\\"é"},{"n":"1","vb":false},{"n":"2","vd":"-_8"},{"n":"3","vlo":"66:1"},\
            {"n":"4","v":20.0}]
            """)
        #expect(try SenMLPack(json: json) == pack)
        #expect(try SenMLPack(cbor: pack.cborBytes()) == pack)
    }

    @Test("rejects malformed packs")
    func malformed() {
        let bad = [
            "{}", "[1]", #"[{"n":1}]"#, #"[{"v":"1"}]"#, #"[{"vb":1}]"#, #"[{"vd":"***"}]"#, #"[{"bver":1.5}]"#,
            #"[{"n":"a","x_":1}]"#, #"[{"n":"a","n":"b"}]"#, "[", #"[{"n":"a"}] x"#, #"[{"v":1e999}]"#,
        ]
        for input in bad {
            expectCodecError(.malformed) { () throws(LwM2MCodecError) in try SenMLPack(json: utf8Bytes(input)) }
        }
        for input in ["a0", "81 01", "81 a1 00 01", "81 a1 02 61 31", "81 a2 00 61 61 00 61 62", "81 a1 63 78 79 5f 01",
                      "81 a1 08 61 61", "81 a1 04 01"] {
            expectCodecError(.malformed) { () throws(LwM2MCodecError) in try SenMLPack(cbor: hexBytes(input)) }
        }
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in
            try SenMLPack(records: [SenMLRecord(value: .integer(1))]).resolved()
        }
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in
            try SenMLPack(records: [SenMLRecord(baseName: "/1/0/1", baseValue: .integer(Int64.max), value: .integer(1))])
                .resolved()
        }
    }
}

@Suite("SenML JSON (110) and SenML CBOR (112) codecs")
struct SenMLCodecTests {
    let json = LeafFormatCodec.senmlJSON
    let cbor = LeafFormatCodec.senmlCBOR
    let model = CodecTestModel.standard

    @Test("LwM2M 1.1 §7.4.5 Device instance example decodes and encodes exactly")
    func deviceExample() throws {
        let node = try json.decode(utf8Bytes(SenMLVectors.lwm2mDeviceInstance), at: lwPath("/3/0"), model: model)
        #expect(node == .objectInstance(DeviceExample.instance))
        #expect(try json.encode(node, at: lwPath("/3/0"), model: model) == utf8Bytes(SenMLVectors.lwm2mDeviceInstance))
    }

    @Test("SenML CBOR carries the same Device instance with integer labels")
    func deviceCBOR() throws {
        let bytes = try cbor.encode(.objectInstance(DeviceExample.instance), at: lwPath("/3/0"), model: model)
        #expect(Array(bytes.prefix(18)) == hexBytes("90 a3 21 65 2f 33 2f 30 2f 00 61 30 03 74 4f 70 65 6e"))
        #expect(try cbor.decode(bytes, at: lwPath("/3/0"), model: model) == .objectInstance(DeviceExample.instance))
    }

    @Test("single, multiple and instance shapes; vd, vlo and bv")
    func shapes() throws {
        #expect(try json.decode(utf8Bytes(#"[{"bn":"/3/0/0","vs":"Open Mobile Alliance"}]"#), at: lwPath("/3/0/0"), model: model)
            == .singleResource(id: 0, value: .string("Open Mobile Alliance")))
        #expect(try json.decode(utf8Bytes(#"[{"bn":"/3/0/7/","n":"0","v":3800},{"n":"1","v":5000}]"#), at: lwPath("/3/0/7"),
                                model: model)
            == .resource(try .multiple(id: 7, type: .integer, instances: [0: .integer(3800), 1: .integer(5000)])))
        #expect(try json.decode(utf8Bytes(#"[{"bn":"/5/0/0","vd":"q83v"}]"#), at: lwPath("/5/0/0"), model: model)
            == .singleResource(id: 0, value: .opaque([0xAB, 0xCD, 0xEF])))
        #expect(try cbor.decode(hexBytes("81 a2 21 66 2f 35 2f 30 2f 30 08 43 ab cd ef"), at: lwPath("/5/0/0"), model: model)
            == .singleResource(id: 0, value: .opaque([0xAB, 0xCD, 0xEF])))
        let link = LwM2MNode.resourceInstance(LwM2MResourceInstance(id: 0, value: .objlnk(objectID: 66, instanceID: 1)))
        #expect(try json.encode(link, at: lwPath("/3/0/22/0"), model: model) == utf8Bytes(#"[{"bn":"/3/0/22/0","vlo":"66:1"}]"#))
        #expect(try cbor.decode(hexBytes("81 a2 21 69 2f 33 2f 30 2f 32 32 2f 30 63 76 6c 6f 64 36 36 3a 31"),
                                at: lwPath("/3/0/22/0"), model: model) == link)
        #expect(try json.decode(utf8Bytes(#"[{"bn":"/3/0/","bv":10,"n":"9","v":5}]"#), at: lwPath("/3/0/9"), model: model)
            == .singleResource(id: 9, value: .integer(15)))
        #expect(try json.decode(utf8Bytes(#"[{"n":"/3/0/13","v":1.638435E9}]"#), at: lwPath("/3/0/13"), model: model)
            == .singleResource(id: 13, value: .time(1_638_435_000)))
        #expect(try json.decode(utf8Bytes(#"[{"n":"/1/0/11","v":18446744073709551615}]"#), at: lwPath("/1/0/11"), model: model)
            == .singleResource(id: 11, value: .unsignedInteger(UInt64.max)))
        #expect(try json.decode(utf8Bytes(#"[{"n":"/3303/0/5700","v":20}]"#), at: lwPath("/3303/0/5700"), model: model)
            == .singleResource(id: 5700, value: .float(20)))
    }

    @Test("empty payloads give empty containers, not single values")
    func empty() throws {
        for codec in [json, cbor] as [any LwM2MNodeCodec] {
            #expect(try codec.decode([], at: lwPath("/1"), model: model) == .object(try LwM2MObject(id: 1, instances: [])))
            #expect(try codec.decode([], at: lwPath("/3/0"), model: model)
                == .objectInstance(try LwM2MObjectInstance(id: 0, resources: [])))
            #expect(try codec.decode([], at: lwPath("/3/0/6"), model: model)
                == .resource(try .multiple(id: 6, type: .integer, instances: [:])))
            expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in try codec.decode([], at: lwPath("/3/0/9"), model: model) }
        }
        #expect(try json.decode(utf8Bytes("[]"), at: lwPath("/3/0/6"), model: model)
            == .resource(try .multiple(id: 6, type: .integer, instances: [:])))
    }

    @Test("a string for an integer resource is a clear type mismatch")
    func typeMismatch() {
        let error = expectCodecError(.typeMismatch) { () throws(LwM2MCodecError) in
            try json.decode(utf8Bytes(#"[{"bn":"/3/0/9","vs":"100"}]"#), at: lwPath("/3/0/9"), model: model)
        }
        #expect(error?.path == lwPath("/3/0/9"))
        #expect(error?.message == "resource is integer in the object model but the payload carries a string value")
        expectCodecError(.typeMismatch) { () throws(LwM2MCodecError) in
            try cbor.decode(hexBytes("81 a2 21 66 2f 33 2f 30 2f 39 04 f5"), at: lwPath("/3/0/9"), model: model)
        }
        expectCodecError(.invalidValue) { () throws(LwM2MCodecError) in
            try json.decode(utf8Bytes(#"[{"bn":"/3/0/9","v":1.5}]"#), at: lwPath("/3/0/9"), model: model)
        }
    }

    @Test("structural errors: missing or double values, bad names, stray paths, duplicates, wrong shape")
    func errors() {
        let cases: [(String, String, LwM2MCodecError.Kind)] = [
            (#"[{"bn":"/3/0/9"}]"#, "/3/0/9", .malformed),
            (#"[{"bn":"/3/0/9","v":1,"vs":"1"}]"#, "/3/0/9", .malformed),
            (#"[{"bn":"urn:dev:ow:1","v":1}]"#, "/3/0/9", .invalidPath),
            (#"[{"bn":"/3/0/10","v":1}]"#, "/3/0/9", .pathMismatch),
            (#"[{"bn":"/3/0","v":1}]"#, "/3/0", .pathMismatch),
            (#"[{"bn":"/3/0/9","v":1},{"v":2}]"#, "/3/0/9", .duplicateID),
            (#"[{"bn":"/3/0/6","v":1}]"#, "/3/0/6", .pathMismatch),
            (#"[{"bn":"/3/0/9/0","v":1}]"#, "/3/0/9", .pathMismatch),
            (#"[{"bn":"/3/0/4","vs":""}]"#, "/3/0/4", .typeMismatch),
            (#"[{"bn":"/4242/0/1/","n":"0","v":1},{"n":"1","vs":"a"}]"#, "/4242/0/1", .typeMismatch),
        ]
        for (payload, at, kind) in cases {
            expectCodecError(kind) { () throws(LwM2MCodecError) in try json.decode(utf8Bytes(payload), at: lwPath(at), model: model) }
        }
    }

    @Test("Read-Composite: decodeNodes groups values under the requested paths, or one node per value")
    func composite() throws {
        let payload = utf8Bytes(#"[{"bn":"/3/0/0","vs":"Open Mobile Alliance"},{"bn":"/3/0/9","v":95},{"bn":"/1/0/1","v":86400},"#
            + #"{"bn":"/3303/0/","n":"5700","v":23.5},{"n":"5701","vs":"Cel"}]"#)
        let grouped = try json.decodeNodes(payload, paths: [lwPath("/3/0/0"), lwPath("/3/0/9"), lwPath("/1/0/1"), lwPath("/3303/0")],
                                           model: model)
        let temperature = try LwM2MObjectInstance(id: 0, resources: [
            .single(id: 5700, value: .float(23.5)), .single(id: 5701, value: .string("Cel")),
        ])
        #expect(grouped == [
            lwPath("/3/0/0"): .singleResource(id: 0, value: .string("Open Mobile Alliance")),
            lwPath("/3/0/9"): .singleResource(id: 9, value: .integer(95)),
            lwPath("/1/0/1"): .singleResource(id: 1, value: .integer(86400)),
            lwPath("/3303/0"): .objectInstance(temperature),
        ])
        let flat = try json.decodeNodes(payload, paths: nil, model: model)
        #expect(flat.keys.sorted() == ["/1/0/1", "/3/0/0", "/3/0/9", "/3303/0/5700", "/3303/0/5701"].map(lwPath))
        expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in
            try json.decodeNodes(payload, paths: [lwPath("/3")], model: model)
        }
        let encoded = try json.encodeNodes([lwPath("/3303/0"): .objectInstance(temperature),
                                            lwPath("/3/0/9"): .singleResource(id: 9, value: .integer(95))], model: model)
        #expect(String(decoding: encoded, as: UTF8.self)
            == #"[{"bn":"/3/0/9","v":95},{"bn":"/3303/0/","n":"5700","v":23.5},{"n":"5701","vs":"Cel"}]"#)
        #expect(try cbor.decodeNodes(try cbor.encodeNodes(grouped, model: model), paths: Array(grouped.keys), model: model)
            == grouped)
    }

    @Test("timestamped values: base time, relative times, several base names, newest first")
    func timestamped() throws {
        let series = utf8Bytes(#"[{"bn":"/1024/0/1","v":22.9,"bt":268500000},{"v":22.4,"t":-5},{"v":24.1,"t":-50}]"#)
        let groups = try json.decodeTimestamped(series, paths: [lwPath("/1024/0/1")], model: model)
        #expect(groups.map(\.timestamp) == [268_500_000, 268_499_995, 268_499_950])
        #expect(groups.map { $0.nodes[lwPath("/1024/0/1")] }
            == [22.9, 22.4, 24.1].map { LwM2MNode.singleResource(id: 1, value: .float($0)) })

        let send = utf8Bytes(#"[{"bn":"/3303/0/5700","bt":1699877805.766,"v":-128.8},{"bn":"/3/0/9","t":0.101,"v":39},"#
            + #"{"bn":"/3/0/0","bt":0,"vs":"x"},{"bn":"/3/0/1","vs":"untimed"}]"#)
        let sendGroups = try json.decodeTimestamped(send, paths: nil, model: model)
        #expect(sendGroups.map(\.timestamp) == [1_699_877_805.766 + 0.101, 1_699_877_805.766, 0])
        #expect(sendGroups[0].nodes == [lwPath("/3/0/9"): .singleResource(id: 9, value: .integer(39))])
        #expect(sendGroups[1].nodes == [lwPath("/3303/0/5700"): .singleResource(id: 5700, value: .float(-128.8))])
        #expect(sendGroups[2].nodes.count == 2)

        let toEncode = [
            TimestampedNodes(timestamp: 2000, nodes: [lwPath("/3303/0/5700"): .singleResource(id: 5700, value: .float(2.5))]),
            TimestampedNodes(timestamp: nil, nodes: [lwPath("/3/0/9"): .singleResource(id: 9, value: .integer(100))]),
            TimestampedNodes(timestamp: 1000.5, nodes: [lwPath("/3303/0/5700"): .singleResource(id: 5700, value: .float(1.5))]),
        ]
        let encoded = try json.encodeTimestamped(toEncode, model: model)
        #expect(String(decoding: encoded, as: UTF8.self) == #"[{"bn":"/3/0/9","v":100},"#
            + #"{"bn":"/3303/0/5700","bt":2000,"v":2.5},{"bn":"/3303/0/5700","bt":1000.5,"v":1.5}]"#)
        for codec in [json, cbor] as [any LwM2MMultiNodeCodec] {
            let decoded = try codec.decodeTimestamped(try codec.encodeTimestamped(toEncode, model: model), paths: nil,
                                                      model: model)
            #expect(decoded == [toEncode[1], toEncode[0], toEncode[2]])
        }
    }
}
