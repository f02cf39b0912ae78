import Testing
@testable import LwM2M

@Suite("CBOR (RFC 8949)")
struct CBORTests {
    /// RFC 8949 Appendix A examples that have one preferred serialization.
    static let preferred: [(CBORValue, String)] = [
        (.unsigned(0), "00"), (.unsigned(1), "01"), (.unsigned(10), "0a"), (.unsigned(23), "17"),
        (.unsigned(24), "1818"), (.unsigned(25), "1819"), (.unsigned(100), "1864"), (.unsigned(1000), "1903e8"),
        (.unsigned(1_000_000), "1a000f4240"), (.unsigned(1_000_000_000_000), "1b000000e8d4a51000"),
        (.unsigned(UInt64.max), "1bffffffffffffffff"), (.negative(UInt64.max), "3bffffffffffffffff"),
        (.integer(-1), "20"), (.integer(-10), "29"), (.integer(-100), "3863"), (.integer(-1000), "3903e7"),
        (.float(0.0), "f90000"), (.float(-0.0), "f98000"), (.float(1.0), "f93c00"), (.float(1.1), "fb3ff199999999999a"),
        (.float(1.5), "f93e00"), (.float(65504.0), "f97bff"), (.float(100000.0), "fa47c35000"),
        (.float(3.4028234663852886e+38), "fa7f7fffff"), (.float(1.0e+300), "fb7e37e43c8800759c"),
        (.float(5.960464477539063e-8), "f90001"), (.float(0.00006103515625), "f90400"), (.float(-4.0), "f9c400"),
        (.float(-4.1), "fbc010666666666666"), (.float(.infinity), "f97c00"), (.float(-.infinity), "f9fc00"),
        (.bool(false), "f4"), (.bool(true), "f5"), (.null, "f6"), (.undefined, "f7"), (.simple(16), "f0"),
        (.simple(255), "f8ff"),
        (.tagged(0, .text("2013-03-21T20:04:00Z")), "c074323031332d30332d32315432303a30343a30305a"),
        (.tagged(1, .unsigned(1_363_896_240)), "c11a514b67b0"), (.tagged(1, .float(1_363_896_240.5)), "c1fb41d452d9ec200000"),
        (.tagged(23, .bytes([1, 2, 3, 4])), "d74401020304"),
        (.bytes([]), "40"), (.bytes([1, 2, 3, 4]), "4401020304"), (.text(""), "60"), (.text("a"), "6161"),
        (.text("IETF"), "6449455446"), (.text("\"\\"), "62225c"), (.text("\u{00fc}"), "62c3bc"),
        (.text("\u{6c34}"), "63e6b0b4"), (.text("\u{10151}"), "64f0908591"),
        (.array([]), "80"), (.array([.unsigned(1), .unsigned(2), .unsigned(3)]), "83010203"),
        (.array([.unsigned(1), .array([.unsigned(2), .unsigned(3)]), .array([.unsigned(4), .unsigned(5)])]), "8301820203820405"),
        (.array((1...25).map { .unsigned($0) }), "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
        (.map([]), "a0"), (.map([CBORMapEntry(.unsigned(1), .unsigned(2)), CBORMapEntry(.unsigned(3), .unsigned(4))]), "a201020304"),
        (.map([CBORMapEntry(.text("a"), .unsigned(1)),
               CBORMapEntry(.text("b"), .array([.unsigned(2), .unsigned(3)]))]), "a26161016162820203"),
        (.array([.text("a"), .map([CBORMapEntry(.text("b"), .text("c"))])]), "826161a161626163"),
    ]

    @Test("RFC 8949 Appendix A: decode and preferred encode")
    func appendixA() throws {
        for (value, encoded) in Self.preferred {
            #expect(try CBORDecoder().decode(hexBytes(encoded)) == value, "\(encoded)")
            #expect(value.encoded() == hexBytes(encoded), "\(value)")
        }
        #expect(try CBORDecoder().decode(hexBytes("f97e00")).encoded() == hexBytes("f97e00"))
        if case .float(let nan) = try CBORDecoder().decode(hexBytes("f97e00")) { #expect(nan.isNaN) } else { Issue.record("NaN") }
    }

    @Test("RFC 8949 Appendix A: indefinite lengths and non-preferred widths decode")
    func indefinite() throws {
        let cases: [(String, CBORValue)] = [
            ("5f42010243030405ff", .bytes([1, 2, 3, 4, 5])),
            ("7f657374726561646d696e67ff", .text("streaming")),
            ("9fff", .array([])),
            ("9f018202039f0405ffff", .array([.unsigned(1), .array([.unsigned(2), .unsigned(3)]),
                                            .array([.unsigned(4), .unsigned(5)])])),
            ("bf61610161629f0203ffff", .map([CBORMapEntry(.text("a"), .unsigned(1)),
                                            CBORMapEntry(.text("b"), .array([.unsigned(2), .unsigned(3)]))])),
            ("fa3fc00000", .float(1.5)), ("fb3ff8000000000000", .float(1.5)), ("1b0000000000000001", .unsigned(1)),
        ]
        for (encoded, value) in cases {
            #expect(try CBORDecoder().decode(hexBytes(encoded)) == value, "\(encoded)")
        }
    }

    @Test("rejects malformed and hostile input without allocating or recursing past limits")
    func hostile() {
        let bad = [
            "", "18", "19 01", "1a 00 00", "5b ff ff ff ff ff ff ff ff", "5a 00 00 00 10 41", "7b ff ff ff ff ff ff ff ff",
            "9b ff ff ff ff ff ff ff ff", "bb 7f ff ff ff ff ff ff ff", "9a 7f ff ff ff", "1c", "5d", "ff", "9f 01",
            "bf 01 ff", "5f 01 ff", "5f 5f ff ff", "7f 41 61 ff", "62 c3", "61 ff", "f8 10", "fc", "01 02",
            "a1 01", "c1", "9f", "bf", "81", "7f 61",
        ]
        for input in bad {
            expectCodecError(.malformed) { () throws(LwM2MCodecError) in try CBORDecoder().decode(hexBytes(input)) }
        }
        let deep = Array(repeating: UInt8(0x81), count: 100_000) + [0x00]
        let error = expectCodecError(.malformed) { () throws(LwM2MCodecError) in try CBORDecoder().decode(deep) }
        #expect(error?.message.contains("nesting") == true)
        let deepTags = Array(repeating: UInt8(0xC1), count: 10_000) + [0x00]
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in try CBORDecoder().decode(deepTags) }
        let indefiniteDeep = Array(repeating: UInt8(0x9F), count: 10_000)
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in try CBORDecoder().decode(indefiniteDeep) }
        #expect(throws: Never.self) { try CBORDecoder(maxDepth: 3).decode(hexBytes("818181 00")) }
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in try CBORDecoder(maxDepth: 3).decode(hexBytes("81818181 00")) }
    }

    @Test("decodePrefix reports the length of the first item")
    func prefix() throws {
        let result = try CBORDecoder().decodePrefix(hexBytes("1903e8 01"))
        #expect(result.value == .unsigned(1000) && result.length == 3)
    }

    @Test("half-precision conversions are exact both ways")
    func halfFloat() {
        for bits in [UInt16(0x0001), 0x03FF, 0x0400, 0x3C00, 0x3E00, 0x7BFF, 0x8001, 0xC400, 0x7C00, 0xFC00] {
            #expect(HalfFloat.exactBits(of: HalfFloat.value(ofBits: bits)) == bits, "\(bits)")
        }
        #expect(HalfFloat.exactBits(of: 0.1) == nil)
        #expect(HalfFloat.exactBits(of: 65520) == nil)
        #expect(HalfFloat.exactBits(of: 1.0 / 33_554_432) == nil)
    }
}

@Suite("CBOR codec (60)")
struct CBORCodecTests {
    let codec = CBORCodec()
    let model = CodecTestModel.standard

    @Test("encodes each data type as LwM2M 1.1 / Leshan do")
    func encoding() throws {
        let cases: [(String, LwM2MValue, String)] = [
            ("/3/0/9", .integer(100), "1864"),
            ("/3/0/0", .string("IETF"), "6449455446"),
            ("/3303/0/5700", .float(1.5), "f93e00"),
            ("/3303/0/5700", .float(-4.1), "fbc010666666666666"),
            ("/1/0/6", .boolean(true), "f5"),
            ("/5/0/0", .opaque([1, 2, 3, 4]), "4401020304"),
            ("/3/0/13", .time(1_363_896_240), "c11a514b67b0"),
            ("/1/0/10", .objlnk(objectID: 66, instanceID: 1), "6436363a31"),
            ("/1/0/11", .unsignedInteger(UInt64.max), "1bffffffffffffffff"),
        ]
        for (text, value, encoded) in cases {
            let at = lwPath(text)
            let node = LwM2MNode.singleResource(id: at.resourceID!, value: value)
            #expect(try codec.encode(node, at: at, model: model) == hexBytes(encoded), "\(text)")
            #expect(try codec.decode(hexBytes(encoded), at: at, model: model) == node, "\(text)")
        }
        let instance = LwM2MNode.resourceInstance(LwM2MResourceInstance(id: 1, value: .integer(-1000)))
        #expect(try codec.encode(instance, at: lwPath("/3/0/7/1"), model: model) == hexBytes("3903e7"))
        #expect(try codec.decode(hexBytes("3903e7"), at: lwPath("/3/0/7/1"), model: model) == instance)
    }

    @Test("accepts untagged and float times, integer floats, and guesses types for unknown resources")
    func lenientDecoding() throws {
        #expect(try codec.decode(hexBytes("1a514b67b0"), at: lwPath("/3/0/13"), model: model)
            == .singleResource(id: 13, value: .time(1_363_896_240)))
        #expect(try codec.decode(hexBytes("c1fb41d452d9ec000000"), at: lwPath("/3/0/13"), model: model)
            == .singleResource(id: 13, value: .time(1_363_896_240)))
        #expect(try codec.decode(hexBytes("1864"), at: lwPath("/3303/0/5700"), model: model)
            == .singleResource(id: 5700, value: .float(100)))
        let guesses: [(String, LwM2MValue)] = [
            ("29", .integer(-10)), ("1bffffffffffffffff", .unsignedInteger(UInt64.max)), ("f5", .boolean(true)),
            ("6161", .string("a")), ("4101", .opaque([1])), ("f93e00", .float(1.5)), ("c11864", .time(100)),
        ]
        for (encoded, value) in guesses {
            #expect(try codec.decode(hexBytes(encoded), at: lwPath("/4242/0/1"), model: model)
                == .singleResource(id: 1, value: value), "\(encoded)")
        }
        expectCodecError(.invalidValue) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("80"), at: lwPath("/4242/0/1"), model: model)
        }
    }

    @Test("type mismatches, ranges, node kinds and trailing bytes are errors")
    func errors() {
        let mismatch = expectCodecError(.typeMismatch) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("6131"), at: lwPath("/3/0/9"), model: model)
        }
        #expect(mismatch?.path == lwPath("/3/0/9"))
        expectCodecError(.invalidValue) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("1bffffffffffffffff"), at: lwPath("/3/0/9"), model: model)
        }
        expectCodecError(.invalidValue) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("20"), at: lwPath("/1/0/11"), model: model)
        }
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in try codec.decode(hexBytes("1864 00"), at: lwPath("/3/0/9"), model: model) }
        expectCodecError(.unsupportedNode) { () throws(LwM2MCodecError) in try codec.decode(hexBytes("01"), at: lwPath("/3/0"), model: model) }
        expectCodecError(.unsupportedNode) { () throws(LwM2MCodecError) in try codec.decode(hexBytes("01"), at: lwPath("/3/0/6"), model: model) }
        expectCodecError(.unsupportedNode) { () throws(LwM2MCodecError) in
            try codec.encode(.resource(try .multiple(id: 6, type: .integer, instances: [0: .integer(1)])),
                             at: lwPath("/3/0/6"), model: model)
        }
        expectCodecError(.invalidValue) { () throws(LwM2MCodecError) in
            try codec.decode(hexBytes("6136"), at: lwPath("/1/0/10"), model: model)
        }
    }
}
