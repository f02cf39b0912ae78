import Foundation
import Testing
@testable import LwM2M

/// Device input an attack run tried (issue P8 item 6): U+0000 in a string value is refused by every format that
/// carries strings, SenML versions other than 1…10 are refused, pmin > pmax is a conflict, endpoint names are
/// kept in NFC.
@Suite("Attack input: NUL strings, SenML versions, attribute conflicts, endpoint name form")
struct AttackInputTests {
    let model = CodecTestModel.standard
    let codecs = LwM2MCodecRegistry.standard
    let path = lwPath("/3/0/0")

    @Test("a string value with U+0000 is refused in every format", arguments: [
        (ContentFormat.text, "61 00 62"),
        (.tlv, "c3 00 61 00 62"),
        (.cbor, "63 61 00 62"),
        (.senmlJSON, "5b 7b 22 6e 22 3a 22 2f 33 2f 30 2f 30 22 2c 22 76 73 22 3a 22 61 5c 75 30 30 30 30 62 22 7d 5d"),
        (.senmlCBOR, "81 a2 00 66 2f 33 2f 30 2f 30 03 63 61 00 62"),
        (.lwm2mJSON, "7b 22 62 6e 22 3a 22 2f 33 2f 30 2f 30 22 2c 22 65 22 3a 5b 7b 22 73 76 22 3a 22 61 5c 75 30 30 30 30 62 22 7d 5d 7d"),
    ])
    func nulInStrings(format: ContentFormat, hex: String) {
        let error = expectCodecError(.invalidValue) { () throws(LwM2MCodecError) in
            try codecs.decode(hexBytes(hex), format: format, path: path, model: model)
        }
        #expect(error?.message.contains("U+0000") == true, "\(String(describing: error))")
        // Without the NUL the same payload is a string.
        #expect(throws: Never.self) {
            try codecs.decode(hexBytes(hex.replacingOccurrences(of: "61 00 62", with: "61 20 62")
                .replacingOccurrences(of: "5c 75 30 30 30 30", with: "5c 75 30 30 32 30")), format: format, path: path, model: model)
        }
    }

    @Test("SenML versions 1 to 10 are read, others refused", arguments: [0, 1, 10, 11, 99, -1])
    func senmlVersions(version: Int) {
        let json = utf8Bytes(#"[{"bver":\#(version),"n":"/3/0/0","vs":"x"}]"#)
        // CBOR: bver (-1) as a small integer, a negative one, or one byte after 0x18.
        let encoded: [UInt8] = version < 0 ? [UInt8(0x20 + (-1 - version))] : version < 24 ? [UInt8(version)] : [0x18, UInt8(version)]
        let cbor: [UInt8] = [0x81, 0xa3, 0x20] + encoded + [0x00, 0x66] + Array("/3/0/0".utf8) + [0x03, 0x61, 0x78]
        if (1...10).contains(version) {
            #expect(throws: Never.self) { try SenMLPack(json: json) }
            #expect(throws: Never.self) { try SenMLPack(cbor: cbor) }
        } else {
            expectCodecError(.malformed) { () throws(LwM2MCodecError) in try SenMLPack(json: json) }
            expectCodecError(.malformed) { () throws(LwM2MCodecError) in try SenMLPack(cbor: cbor) }
        }
    }

    @Test("pmin above pmax and epmin not below epmax are conflicts")
    func attributeConflicts() {
        #expect(NotificationAttributes(pmin: 10, pmax: 5).conflict == "pmin (10) is greater than pmax (5)")
        #expect(NotificationAttributes(pmin: 5, pmax: 5).conflict == nil)
        #expect(NotificationAttributes(pmin: 10).conflict == nil)
        #expect(NotificationAttributes(epmin: 5, epmax: 5).conflict == "epmin (5) is not less than epmax (5)")
        #expect(NotificationAttributes(epmin: 1, epmax: 5).conflict == nil)
    }

    @Test("endpoint names are kept in NFC")
    func endpointNames() throws {
        let nfd = "cafe\u{301}"
        #expect(Array(EndpointName.canonical(nfd).utf8) == [0x63, 0x61, 0x66, 0xC3, 0xA9])
        let request = try RegisterRequest.parse(query: [("ep", nfd)], payload: [], contentFormat: nil)
        #expect(Array(request.endpoint.utf8) == [0x63, 0x61, 0x66, 0xC3, 0xA9])
    }

    @Test("a DDF file that is not UTF-8 is refused before it reaches FoundationXML (which traps on it)")
    func ddfNotUTF8() {
        var data = Data(#"<?xml version="1.0" encoding="utf-8"?><LWM2M><Object><LWM2MVer"#.utf8)
        data.append(0xE1)
        data.append(contentsOf: Array("nces>x</LWM2MVer>\n</Object></LWM2M>".utf8))
        do {
            _ = try DDFParser().parse(data, file: "bad.xml")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .malformedXML)
            #expect("\(error)".contains("not UTF-8 (byte 62 "), "\(error)")
        }
    }

    @Test("a processing instruction other than the XML declaration is refused before FoundationXML (which crashes on one without data)")
    func processingInstructions() {
        let body = #"<LWM2M><Object ObjectType="MODefinition"><Name>A</Name></Object></LWM2M>"#
        #expect(XMLElementNode.firstProcessingInstruction(in: Data((#"<?xml version="1.0"?>"# + body).utf8)) == nil)
        #expect(XMLElementNode.firstProcessingInstruction(in: Data(("\u{FEFF}\n  " + #"<?xml version="1.0"?>"# + body).utf8)) == nil)
        #expect(XMLElementNode.firstProcessingInstruction(in: Data(body.utf8)) == nil)
        #expect(XMLElementNode.firstProcessingInstruction(in: Data((#"<?xml version="1.0"?><?x?>"# + body).utf8)) == 21)
        #expect(XMLElementNode.firstProcessingInstruction(in: Data(("<?x?>" + body).utf8)) == 0)
        #expect(XMLElementNode.firstProcessingInstruction(in: Data(("<?xml-stylesheet href=\"a\"?>" + body).utf8)) == 0)
        do {
            _ = try DDFParser().parse(Data((#"<?xml version="1.0"?>"# + "\n<!-- a --><?empty?>" + body).utf8), file: "pi.xml")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .malformedXML)
            #expect(error.line == 2, "\(error)")
        }
    }
}
