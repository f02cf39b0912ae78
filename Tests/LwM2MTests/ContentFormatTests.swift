import Testing
@testable import LwM2M

@Suite("ContentFormat and registry")
struct ContentFormatTests {
    @Test("registered numbers and legacy aliases")
    func numbers() {
        #expect(ContentFormat.text.rawValue == 0 && ContentFormat.linkFormat.rawValue == 40)
        #expect(ContentFormat.opaque.rawValue == 42 && ContentFormat.cbor.rawValue == 60)
        #expect(ContentFormat.senmlJSON.rawValue == 110 && ContentFormat.senmlCBOR.rawValue == 112)
        #expect(ContentFormat.tlv.rawValue == 11542 && ContentFormat.lwm2mJSON.rawValue == 11543)
        #expect(ContentFormat(rawValue: 1542).canonical == .tlv)
        #expect(ContentFormat(rawValue: 1543).canonical == .lwm2mJSON)
        #expect(ContentFormat(rawValue: 1541).canonical == .text)
        #expect(ContentFormat(rawValue: 1544).canonical == .opaque)
        #expect(ContentFormat.tlv.canonical == .tlv)
        #expect(ContentFormat(rawValue: 9999).mediaType == nil)
        #expect(ContentFormat.senmlCBOR.description == "application/senml+cbor (112)")
    }

    @Test("registry lists one codec per node format and resolves legacy numbers")
    func registry() throws {
        let registry = LwM2MCodecRegistry.standard
        #expect(registry.supportedFormats.map(\.rawValue) == [0, 42, 60, 110, 112, 11542, 11543])
        #expect(registry.codec(for: .legacyTLV)?.format == .tlv)
        let node = try registry.decode(hexBytes("C1 09 64"), format: .legacyTLV, path: lwPath("/3/0/9"), model: CodecTestModel.standard)
        #expect(node == .singleResource(id: 9, value: .integer(100)))
        expectCodecError(.unsupportedContentFormat) { () throws(LwM2MCodecError) in
            try registry.decode([], format: .linkFormat, path: lwPath("/3/0/9"), model: CodecTestModel.standard)
        }
        expectCodecError(.unsupportedContentFormat) { () throws(LwM2MCodecError) in
            try registry.decodeNodes(hexBytes("C1 09 64"), format: .tlv, model: CodecTestModel.standard)
        }
        expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in
            try registry.encode(.singleResource(id: 9, value: .integer(1)), at: lwPath("/3/0/8"), format: .tlv,
                                model: CodecTestModel.standard)
        }
    }
}
