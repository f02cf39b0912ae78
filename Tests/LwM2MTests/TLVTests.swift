import Testing
@testable import LwM2M

/// TLV vectors of the LwM2M 1.0 Core §6.4.3 / 1.1 Core §7.4.3 examples (also used by Leshan's test suite).
enum TLVVectors {
    /// Access Control object, instances 0 and 2 (example B).
    static let acl = """
        08 00 0E C1 00 01 C1 01 00 83 02 41 7F 07 C1 03 7F
        08 02 12 C1 00 03 C1 01 00 87 02 41 7F 07 61 01 36 01 C1 03 7F
        """
    /// Server object with one instance (example C).
    static let server = "08 00 0F C1 00 01 C4 01 00 01 51 80 C1 06 01 C1 07 55"
    /// Object 65 instance 0 with an object-link multiple resource (object-link example 1).
    static let object65Instance = """
        88 00 0C 44 00 00 42 00 00 44 01 00 42 00 01
        C8 01 0D 38 36 31 33 38 30 30 37 35 35 35 30 30
        C4 02 12 34 56 78
        """
    /// Object 66 with two instances, the second with a null object link (object-link example 2).
    static let object66 = """
        08 00 26 C8 00 0B 6D 79 53 65 72 76 69 63 65 20 31 C8 01 0F 49 6E 74 65 72 6E 65 74 2E 31 35 2E 32 33 34
        C4 02 00 43 00 00
        08 01 26 C8 00 0B 6D 79 53 65 72 76 69 63 65 20 32 C8 01 0F 49 6E 74 65 72 6E 65 74 2E 31 35 2E 32 33 35
        C4 02 FF FF FF FF
        """
    /// "Available Power Sources" as one multiple-resource TLV.
    static let powerSources = "86 06 41 00 01 41 01 05"
}

@Suite("TLV records (wire layer)")
struct TLVRecordTests {
    @Test("decodes the Device example into resource records")
    func deviceRecords() throws {
        let records = try TLVRecord.decode(hexBytes(DeviceExample.tlvResources))
        #expect(records.count == 13)
        #expect(records[0] == .resource(id: 0, value: utf8Bytes("Open Mobile Alliance")))
        #expect(records[4] == .multipleResource(id: 6, instances: [
            .resourceInstance(id: 0, value: [1]), .resourceInstance(id: 1, value: [5]),
        ]))
        #expect(records[10] == .resource(id: 13, value: [0x51, 0x82, 0x42, 0x8F]))
        let wrapped = try TLVRecord.decode(hexBytes(DeviceExample.tlvInstance))
        #expect(wrapped == [.objectInstance(id: 0, resources: records)])
        #expect(try TLVRecord.encode(wrapped) == hexBytes(DeviceExample.tlvInstance))
    }

    @Test("16-bit ids and every length-field width")
    func headerWidths() throws {
        let cases: [(TLVRecord, String)] = [
            (.resource(id: 1, value: []), "C0 01"),
            (.resource(id: 1, value: [0xAA]), "C1 01 AA"),
            (.resource(id: 0x136, value: [1]), "E1 01 36 01"),
            (.resourceInstance(id: 310, value: [1]), "61 01 36 01"),
            (.resource(id: 2, value: Array(repeating: 0x41, count: 8)), "C8 02 08" + String(repeating: " 41", count: 8)),
        ]
        for (record, expected) in cases {
            #expect(try record.encoded() == hexBytes(expected), "\(record)")
            #expect(try TLVRecord.decode(hexBytes(expected)) == [record])
        }
        let long = TLVRecord.resource(id: 5, value: Array(repeating: 7, count: 300))
        #expect(Array(try long.encoded().prefix(4)) == hexBytes("D0 05 01 2C"))
        let huge = TLVRecord.resource(id: 5, value: Array(repeating: 7, count: 70_000))
        #expect(Array(try huge.encoded().prefix(5)) == hexBytes("D8 05 01 11 70"))
        #expect(try TLVRecord.decode(huge.encoded()) == [huge])
        expectCodecError(.invalidValue) { () throws(LwM2MCodecError) in
            try TLVRecord.resource(id: 0, value: Array(repeating: 0, count: 0x100_0000)).encoded()
        }
    }

    @Test("rejects truncated headers, overlong lengths and impossible nesting")
    func malformed() {
        for bad in ["C8", "C8 00", "C8 00 05 41", "E1 01", "D8 05 FF FF FF 00", "86 06 41 00 01 41 01",
                    "88 00 03 08 00 00", "08 00 03 41 00 01", "86 06 C1 00 01 41 01 05", "86 03 86 01 00"] {
            let error = expectCodecError(.malformed) { () throws(LwM2MCodecError) in try TLVRecord.decode(hexBytes(bad)) }
            #expect(error?.offset != nil, "\(bad)")
        }
    }
}

@Suite("TLV codec (11542)")
struct TLVCodecTests {
    let codec = TLVCodec()
    let model = CodecTestModel.standard

    @Test("decodes the spec Device instance with and without the instance wrapper")
    func deviceInstance() throws {
        for vector in [DeviceExample.tlvResources, DeviceExample.tlvInstance] {
            let node = try codec.decode(hexBytes(vector), at: lwPath("/3/0"), model: model)
            #expect(node == .objectInstance(DeviceExample.instance))
        }
        let object = try codec.decode(hexBytes(DeviceExample.tlvInstance), at: lwPath("/3"), model: model)
        #expect(object == .object(try LwM2MObject(id: 3, instances: [DeviceExample.instance])))
    }

    @Test("encodes the spec Device instance byte for byte")
    func encodeDevice() throws {
        #expect(try codec.encode(.objectInstance(DeviceExample.instance), at: lwPath("/3/0"), model: model)
            == hexBytes(DeviceExample.tlvResources))
        let object = LwM2MNode.object(try LwM2MObject(id: 3, instances: [DeviceExample.instance]))
        #expect(try codec.encode(object, at: lwPath("/3"), model: model) == hexBytes(DeviceExample.tlvInstance))
    }

    @Test("ACL, Server, object-link examples decode to the spec values and encode back to the same bytes")
    func specObjects() throws {
        let acl = try codec.decode(hexBytes(TLVVectors.acl), at: lwPath("/2"), model: model)
        guard case .object(let aclObject) = acl else { Issue.record("not an object"); return }
        #expect(aclObject.instances.keys.sorted() == [0, 2])
        #expect(aclObject.instances[0]?.resources[0]?.value == .integer(1))
        #expect(aclObject.instances[0]?.resources[2]?.instances == [127: .integer(7)])
        #expect(aclObject.instances[2]?.resources[0]?.value == .integer(3))
        #expect(aclObject.instances[2]?.resources[2]?.instances == [127: .integer(7), 310: .integer(1)])
        #expect(aclObject.instances[2]?.resources[3]?.value == .integer(127))
        #expect(try codec.encode(acl, at: lwPath("/2"), model: model) == hexBytes(TLVVectors.acl))

        let server = try codec.decode(hexBytes(TLVVectors.server), at: lwPath("/1"), model: model)
        let expectedServer = try LwM2MObject(id: 1, instances: [try LwM2MObjectInstance(id: 0, resources: [
            .single(id: 0, value: .integer(1)), .single(id: 1, value: .integer(86400)),
            .single(id: 6, value: .boolean(true)), .single(id: 7, value: .string("U")),
        ])])
        #expect(server == .object(expectedServer))
        #expect(try codec.encode(server, at: lwPath("/1"), model: model) == hexBytes(TLVVectors.server))

        let object65 = try codec.decode(hexBytes(TLVVectors.object65Instance), at: lwPath("/65/0"), model: model)
        let expected65 = try LwM2MObjectInstance(id: 0, resources: [
            try .multiple(id: 0, type: .objlnk, instances: [0: .objlnk(objectID: 66, instanceID: 0),
                                                            1: .objlnk(objectID: 66, instanceID: 1)]),
            .single(id: 1, value: .string("8613800755500")),
            .single(id: 2, value: .integer(305_419_896)),
        ])
        #expect(object65 == .objectInstance(expected65))
        #expect(try codec.encode(object65, at: lwPath("/65/0"), model: model) == hexBytes(TLVVectors.object65Instance))

        let object66 = try codec.decode(hexBytes(TLVVectors.object66), at: lwPath("/66"), model: model)
        guard case .object(let object66Value) = object66 else { Issue.record("not an object"); return }
        #expect(object66Value.instances[0]?.resources[0]?.value == .string("myService 1"))
        #expect(object66Value.instances[0]?.resources[2]?.value == .objlnk(objectID: 67, instanceID: 0))
        #expect(object66Value.instances[1]?.resources[1]?.value == .string("Internet.15.235"))
        #expect(object66Value.instances[1]?.resources[2]?.value == .objlnk(objectID: 65535, instanceID: 65535))
        #expect(try codec.encode(object66, at: lwPath("/66"), model: model) == hexBytes(TLVVectors.object66))
    }

    @Test("multiple resource from a multiple-resource TLV or from bare resource-instance TLVs")
    func multipleResource() throws {
        let expected = LwM2MNode.resource(try .multiple(id: 6, type: .integer, instances: [0: .integer(1), 1: .integer(5)]))
        #expect(try codec.decode(hexBytes(TLVVectors.powerSources), at: lwPath("/3/0/6"), model: model) == expected)
        #expect(try codec.decode(hexBytes("41 00 01 41 01 05"), at: lwPath("/3/0/6"), model: model) == expected)
        #expect(try codec.encode(expected, at: lwPath("/3/0/6"), model: model) == hexBytes(TLVVectors.powerSources))
        expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes(TLVVectors.powerSources), at: lwPath("/3/0/6/1"), model: model)
        }
        expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("41 00 01"), at: lwPath("/3/0/6/1"), model: model)
        }
        #expect(try codec.decode(hexBytes("83 06 41 01 05"), at: lwPath("/3/0/6/1"), model: model)
            == .resourceInstance(LwM2MResourceInstance(id: 1, value: .integer(5))))
        #expect(try codec.decode(hexBytes("41 01 05"), at: lwPath("/3/0/6/1"), model: model)
            == .resourceInstance(LwM2MResourceInstance(id: 1, value: .integer(5))))
        #expect(try codec.encode(.resourceInstance(LwM2MResourceInstance(id: 1, value: .integer(5))),
                                 at: lwPath("/3/0/6/1"), model: model) == hexBytes("41 01 05"))
    }

    @Test("integers use the shortest two's complement width, floats 4 bytes when lossless")
    func valueWidths() throws {
        let cases: [(LwM2MValue, String)] = [
            (.integer(0), "00"), (.integer(127), "7F"), (.integer(-128), "80"), (.integer(128), "00 80"),
            (.integer(-129), "FF 7F"), (.integer(32767), "7F FF"), (.integer(32768), "00 00 80 00"),
            (.integer(2_147_483_648), "00 00 00 00 80 00 00 00"), (.integer(Int64.min), "80 00 00 00 00 00 00 00"),
            (.unsignedInteger(255), "FF"), (.unsignedInteger(256), "01 00"), (.unsignedInteger(UInt64.max), "FF FF FF FF FF FF FF FF"),
            (.float(1.5), "3F C0 00 00"), (.float(0.1), "3F B9 99 99 99 99 99 9A"), (.boolean(true), "01"),
            (.time(1_367_491_215), "51 82 42 8F"), (.objlnk(objectID: 66, instanceID: 1), "00 42 00 01"),
        ]
        for (value, expected) in cases {
            #expect(TLVValue.encode(value) == hexBytes(expected), "\(value)")
            #expect(try TLVValue.decode(hexBytes(expected), as: value.dataType, at: lwPath("/1/0/1")) == value)
        }
        #expect(try TLVValue.decode(hexBytes("FF FF FF FF"), as: .integer, at: lwPath("/1/0/1")) == .integer(-1))
        for (bytes, type) in [("00 00 00", ResourceDataType.integer), ("02", .boolean), ("00 00", .float),
                              ("00 01 02", .objlnk), ("C3 28", .string), ("01 02 03", .unsignedInteger)] {
            expectCodecError(.invalidValue) { () throws(LwM2MCodecError) in
                try TLVValue.decode(hexBytes(bytes), as: type, at: lwPath("/1/0/1"))
            }
        }
    }

    @Test("an unknown object decodes to opaque values instead of failing")
    func unknownObject() throws {
        let node = try codec.decode(hexBytes(TLVVectors.acl), at: lwPath("/2"), model: CodecTestModel.empty)
        guard case .object(let object) = node else { Issue.record("not an object"); return }
        #expect(object.instances[0]?.resources[0]?.value == .opaque([0x01]))
        #expect(object.instances[2]?.resources[2]?.instances == [127: .opaque([0x07]), 310: .opaque([0x01])])
        #expect(object.instances[2]?.resources[2]?.type == .opaque)
        let unwrapped = try codec.decode(hexBytes("C1 01 41 C1 02 42"), at: lwPath("/10234"), model: model)
        #expect(unwrapped == .object(try LwM2MObject(id: 10234, instances: [try LwM2MObjectInstance(id: 0, resources: [
            .single(id: 1, value: .opaque([0x41])), .single(id: 2, value: .opaque([0x42])),
        ])])))
    }

    @Test("empty payloads, wrappers and shape errors")
    func shapes() throws {
        #expect(try codec.decode([], at: lwPath("/1"), model: model) == .object(try LwM2MObject(id: 1, instances: [])))
        #expect(try codec.decode([], at: lwPath("/3/0"), model: model)
            == .objectInstance(try LwM2MObjectInstance(id: 0, resources: [])))
        #expect(try codec.decode([], at: lwPath("/3/0/6"), model: model)
            == .resource(try .multiple(id: 6, type: .integer, instances: [:])))
        expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in try codec.decode([], at: lwPath("/3/0/9"), model: model) }
        // A resource inside a wrapper of the requested instance is accepted; another instance is not.
        #expect(try codec.decode(hexBytes("08 00 03 C1 09 64"), at: lwPath("/3/0/9"), model: model)
            == .singleResource(id: 9, value: .integer(100)))
        expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("08 01 03 C1 09 64"), at: lwPath("/3/0/9"), model: model)
        }
        expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("C1 08 64"), at: lwPath("/3/0/9"), model: model)
        }
        expectCodecError(.duplicateID) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("C1 09 64 C1 09 65"), at: lwPath("/3/0"), model: model)
        }
        expectCodecError(.duplicateID) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("08 00 00 08 00 00"), at: lwPath("/1"), model: model)
        }
        expectCodecError(.duplicateID) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("88 16 0C 44 00 00 64 00 01 44 00 00 65 00 02"), at: lwPath("/3/0/22"), model: model)
        }
        expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("C1 06 01"), at: lwPath("/3/0/6"), model: model)
        }
        expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("83 09 41 00 01"), at: lwPath("/3/0/9"), model: model)
        }
        expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("C1 00 01"), at: lwPath("/1"), model: model)
        }
        expectCodecError(.invalidPath) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("28 FF FF 00"), at: lwPath("/1"), model: model)
        }
        expectCodecError(.typeMismatch) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("C0 04"), at: lwPath("/3/0/4"), model: model)
        }
    }

    @Test("a value of the wrong type for the model is a type mismatch on encode")
    func encodeTypeMismatch() {
        let error = expectCodecError(.typeMismatch) { () throws(LwM2MCodecError) in
            try codec.encode(.singleResource(id: 9, value: .string("100")), at: lwPath("/3/0/9"), model: model)
        }
        #expect(error?.path == lwPath("/3/0/9"))
    }
}
