import Testing
@testable import LwM2M

/// Truncation and mutation of valid payloads: every decoder must throw or return a valid, smaller structure,
/// and never trap. None of the decoders has a streaming API (payloads arrive reassembled), so there is no
/// byte-at-a-time feeding to test; every prefix is tried instead.
@Suite("Robustness: truncation and fuzzing")
struct RobustnessTests {
    let model = CodecTestModel.standard
    let registry = LwM2MCodecRegistry.standard

    @Test("TLV: a prefix decodes only at a record boundary, to a subset of the values")
    func tlvTruncation() throws {
        let bytes = hexBytes(DeviceExample.tlvResources)
        let full = try TLVCodec().decode(bytes, at: lwPath("/3/0"), model: model)
        var decodedPrefixes = 0
        for length in 0..<bytes.count {
            guard let node = try? TLVCodec().decode(Array(bytes.prefix(length)), at: lwPath("/3/0"), model: model) else {
                continue
            }
            decodedPrefixes += 1
            #expect(leafSet(node, at: lwPath("/3/0")).isStrictSubset(of: leafSet(full, at: lwPath("/3/0"))) || length == 0)
        }
        #expect(decodedPrefixes == 13)

        for (vector, at) in [(DeviceExample.tlvInstance, "/3"), (TLVVectors.acl, "/2"), (TLVVectors.object66, "/66"),
                             (TLVVectors.server, "/1"), (TLVVectors.object65Instance, "/65/0")] {
            let bytes = hexBytes(vector)
            let full = try TLVCodec().decode(bytes, at: lwPath(at), model: model)
            for length in 0..<bytes.count {
                if let node = try? TLVCodec().decode(Array(bytes.prefix(length)), at: lwPath(at), model: model) {
                    #expect(leafSet(node, at: lwPath(at)).isStrictSubset(of: leafSet(full, at: lwPath(at)))
                        || leafSet(node, at: lwPath(at)).isEmpty, "\(at) prefix \(length)")
                }
                if let records = try? TLVRecord.decode(Array(bytes.prefix(length))) {
                    #expect(try TLVRecord.encode(records) == Array(bytes.prefix(length)))
                }
            }
        }
    }

    @Test("CBOR, SenML and LwM2M JSON: every strict prefix throws (an empty SenML payload is the empty pack)")
    func structuredTruncation() throws {
        let cases: [(ContentFormat, [UInt8], String)] = [
            (.senmlJSON, utf8Bytes(SenMLVectors.lwm2mDeviceInstance), "/3/0"),
            (.senmlCBOR, try LeafFormatCodec.senmlCBOR.encode(.objectInstance(DeviceExample.instance), at: lwPath("/3/0"), model: model), "/3/0"),
            (.lwm2mJSON, utf8Bytes(LwM2MJSONCodecTests.deviceExample), "/3/0"),
            (.cbor, hexBytes("c11a514b67b0"), "/3/0/13"),
        ]
        for (format, bytes, at) in cases {
            _ = try registry.decode(bytes, format: format, path: lwPath(at), model: model)
            for length in 0..<bytes.count {
                do throws(LwM2MCodecError) {
                    let node = try registry.decode(Array(bytes.prefix(length)), format: format, path: lwPath(at), model: model)
                    #expect(length == 0 && format != .lwm2mJSON && leafSet(node, at: lwPath(at)).isEmpty,
                            "\(format) prefix \(length) decoded to \(node)")
                } catch {
                    #expect(error.kind == .malformed || length == 0, "\(format) prefix \(length): \(error)")
                }
            }
        }
        let rfc = hexBytes(SenMLVectors.rfcMultipleMeasurementsCBOR)
        for length in 1..<rfc.count {
            expectCodecError(.malformed) { () throws(LwM2MCodecError) in try CBORDecoder().decode(Array(rfc.prefix(length))) }
        }
    }

    @Test("text and link format: prefixes decode only when well-formed, to smaller content")
    func textTruncation() throws {
        let text = utf8Bytes("ünïcödé")
        for length in 0...text.count {
            let prefix = Array(text.prefix(length))
            let decoded = try? TextCodec().decode(prefix, at: lwPath("/3/0/0"), model: model)
            #expect((decoded != nil) == (String(validating: prefix, as: UTF8.self) != nil), "prefix \(length)")
        }
        let discover = utf8Bytes("</3>;ver=1.1,</3/0>,</3/0/7>;dim=2,</3/0/6/1>")
        let fullPaths = Set(try LinkFormatCodec().decode(discover).map(\.path))
        for length in 0..<discover.count {
            if let links = try? LinkFormatCodec().decode(Array(discover.prefix(length))) {
                #expect(Set(links.map(\.path)).isSubset(of: fullPaths) && links.count < fullPaths.count)
            }
        }
    }

    /// Mutates each seed `iterations` times and decodes; whatever decodes must re-encode and decode to itself.
    func fuzzNodes(_ format: ContentFormat, _ seeds: [([UInt8], LwM2MPath)], iterations: Int, seed: UInt64) throws
        -> (decoded: Int, rejected: Int)
    {
        var rng = CodecFuzzRNG(seed: seed)
        var decoded = 0
        var rejected = 0
        for iteration in 0..<iterations {
            let (input, at) = seeds[iteration % seeds.count]
            let mutated = fuzzMutate(input, using: &rng)
            let node: LwM2MNode
            do {
                node = try registry.decode(mutated, format: format, path: at, model: model)
            } catch {
                rejected += 1
                continue
            }
            decoded += 1
            // Idempotence on bytes rather than node equality, so that a NaN float still compares equal.
            let reencoded = try registry.encode(node, at: at, format: format, model: model)
            let again = try registry.decode(reencoded, format: format, path: at, model: model)
            #expect(try registry.encode(again, at: at, format: format, model: model) == reencoded,
                    "\(format) input \(hexString(mutated))")
        }
        return (decoded, rejected)
    }

    @Test("fuzz: mutated payloads never trap, and what decodes round-trips", arguments: [
        ContentFormat.tlv, .senmlJSON, .senmlCBOR, .lwm2mJSON, .cbor, .text, .opaque,
    ])
    func fuzz(format: ContentFormat) throws {
        let deviceNode = LwM2MNode.objectInstance(DeviceExample.instance)
        let allTypes = LwM2MNode.objectInstance(AllTypes.instance(0))
        var seeds: [([UInt8], LwM2MPath)] = []
        switch format.rawValue {
        case ContentFormat.tlv.rawValue, ContentFormat.senmlJSON.rawValue, ContentFormat.senmlCBOR.rawValue,
            ContentFormat.lwm2mJSON.rawValue:
            seeds = [
                (try registry.encode(deviceNode, at: lwPath("/3/0"), format: format, model: model), lwPath("/3/0")),
                (try registry.encode(allTypes, at: lwPath("/9999/0"), format: format, model: model), lwPath("/9999/0")),
                (try registry.encode(.resource(DeviceExample.instance.resources[7]!), at: lwPath("/3/0/7"), format: format,
                                     model: model), lwPath("/3/0/7")),
            ]
            if format == .tlv {
                seeds += [(hexBytes(TLVVectors.acl), lwPath("/2")), (hexBytes(TLVVectors.object66), lwPath("/66")),
                          (hexBytes(TLVVectors.acl), lwPath("/4242"))]
            }
        default:
            for (index, type) in AllTypes.types.enumerated() where format != .opaque || type == .opaque {
                let at = try LwM2MPath(objectID: AllTypes.objectID, instanceID: 0, resourceID: UInt16(index))
                let node = LwM2MNode.singleResource(id: UInt16(index), value: AllTypes.samples(type)[0])
                seeds.append((try registry.encode(node, at: at, format: format, model: model), at))
            }
        }
        let result = try fuzzNodes(format, seeds, iterations: 3000, seed: 0x5EED_0000 + UInt64(format.rawValue))
        #expect(result.decoded + result.rejected == 3000)
        if format == .opaque {
            #expect(result.rejected == 0, "every byte string is a valid opaque value")
        } else {
            #expect(result.rejected > 0 && result.decoded > 0, "\(result)")
        }
    }

    @Test("fuzz: wire layers (TLV records, CBOR items, SenML packs, JSON) never trap and round-trip")
    func fuzzWireLayers() throws {
        var rng = CodecFuzzRNG(seed: 0xC0FFEE)
        let tlvSeeds = [hexBytes(DeviceExample.tlvInstance), hexBytes(TLVVectors.acl), hexBytes(TLVVectors.object65Instance)]
        let cborSeeds = [hexBytes(SenMLVectors.rfcMultipleMeasurementsCBOR), hexBytes("bf61610161629f0203ffff"),
                         hexBytes("9f018202039f0405ffff"), hexBytes("c1fb41d452d9ec200000"), hexBytes("7f657374726561646d696e67ff")]
        let jsonSeeds = [utf8Bytes(SenMLVectors.rfcMultipleMeasurementsJSON), utf8Bytes(SenMLVectors.lwm2mDeviceInstance),
                         utf8Bytes(#"[{"n":"a","vs":"\u00e9\ud83d\ude00","vd":"q83v","vb":true}]"#)]
        for iteration in 0..<4000 {
            let tlv = fuzzMutate(tlvSeeds[iteration % tlvSeeds.count], using: &rng)
            if let records = try? TLVRecord.decode(tlv) {
                #expect(try TLVRecord.decode(TLVRecord.encode(records)) == records)
            }
            let cbor = fuzzMutate(cborSeeds[iteration % cborSeeds.count], using: &rng)
            if let item = try? CBORDecoder().decode(cbor) {
                let encoded = item.encoded()
                #expect(try CBORDecoder().decode(encoded).encoded() == encoded, "\(hexString(cbor))")
            }
            if let pack = try? SenMLPack(cbor: cbor) {
                #expect(try SenMLPack(cbor: pack.cborBytes()) == pack)
            }
            let json = fuzzMutate(jsonSeeds[iteration % jsonSeeds.count], using: &rng)
            if let pack = try? SenMLPack(json: json) {
                #expect(try SenMLPack(json: pack.jsonBytes()) == pack)
            }
            _ = try? LinkFormatCodec().decode(json)
            _ = try? LwM2MJSONDocument(bytes: json)
        }
    }

    @Test("hostile lengths and depths are rejected up front")
    func hostile() {
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in try TLVRecord.decode(hexBytes("D8 00 FF FF FF 01 02")) }
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in try TLVRecord.decode(hexBytes("F8 FF FF FF FF FF")) }
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in
            try SenMLPack(cbor: hexBytes("9b ff ff ff ff ff ff ff ff"))
        }
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in
            try SenMLPack(json: utf8Bytes(String(repeating: "[", count: 50_000)))
        }
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in
            try LwM2MJSONDocument(bytes: utf8Bytes(String(repeating: "{\"e\":", count: 50_000)))
        }
    }
}
