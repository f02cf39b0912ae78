import Foundation
import Testing
@testable import LwM2M

@Suite("LwM2M JSON codec (11543)")
struct LwM2MJSONCodecTests {
    let codec = LeafFormatCodec.lwm2mJSON
    let model = CodecTestModel.standard

    /// The Device instance example of LwM2M 1.0 Core §6.4.4 (as reproduced in Leshan's decoder tests).
    static let deviceExample = """
        {"bn":"/3/0/","e":[{"n":"0","sv":"Open Mobile Alliance"},{"n":"1","sv":"Lightweight M2M Client"},\
        {"n":"2","sv":"345000123"},{"n":"3","sv":"1.0"},{"n":"6/0","v":1},{"n":"6/1","v":5},{"n":"7/0","v":3800},\
        {"n":"7/1","v":5000},{"n":"8/0","v":125},{"n":"8/1","v":900},{"n":"9","v":100},{"n":"10","v":15},\
        {"n":"11/0","v":0},{"n":"13","v":1367491215},{"n":"14","sv":"+02:00"},{"n":"16","sv":"U"}]}
        """

    @Test("the Device example decodes with any base name split and encodes exactly")
    func deviceExample() throws {
        #expect(try codec.decode(utf8Bytes(Self.deviceExample), at: lwPath("/3/0"), model: model)
            == .objectInstance(DeviceExample.instance))
        #expect(try codec.encode(.objectInstance(DeviceExample.instance), at: lwPath("/3/0"), model: model)
            == utf8Bytes(Self.deviceExample))
        let fullNames = Self.deviceExample.replacingOccurrences(of: #""bn":"/3/0/","#, with: "")
            .replacingOccurrences(of: #""n":""#, with: #""n":"/3/0/"#)
        #expect(try codec.decode(utf8Bytes(fullNames), at: lwPath("/3/0"), model: model) == .objectInstance(DeviceExample.instance))
        let rootBase = Self.deviceExample.replacingOccurrences(of: #""bn":"/3/0/""#, with: #""bn":"/""#)
            .replacingOccurrences(of: #""n":""#, with: #""n":"3/0/"#)
        #expect(try codec.decode(utf8Bytes(rootBase), at: lwPath("/3/0"), model: model) == .objectInstance(DeviceExample.instance))
    }

    @Test("unknown objects take the type of the field; ov, bv and base64 opaque in sv")
    func fields() throws {
        let custom = utf8Bytes(#"{"bn":"1024/0/", "e":[{"n":"0","sv":"a string"},{"n":"1","v":10.5},{"n":"2","bv":true}]}"#)
        #expect(try codec.decode(custom, at: lwPath("/1024/0"), model: model) == .objectInstance(try LwM2MObjectInstance(
            id: 0, resources: [.single(id: 0, value: .string("a string")), .single(id: 1, value: .float(10.5)),
                               .single(id: 2, value: .boolean(true))])))
        let link = LwM2MNode.singleResource(id: 10, value: .objlnk(objectID: 66, instanceID: 1))
        #expect(try codec.encode(link, at: lwPath("/1/0/10"), model: model) == utf8Bytes(#"{"bn":"/1/0/","e":[{"n":"10","ov":"66:1"}]}"#))
        #expect(try codec.decode(utf8Bytes(#"{"bn":"/1/0/","e":[{"n":"10","ov":"66:1"}]}"#), at: lwPath("/1/0/10"), model: model)
            == link)
        let package = LwM2MNode.singleResource(id: 0, value: .opaque([1, 2, 3, 4, 5]))
        #expect(try codec.encode(package, at: lwPath("/5/0/0"), model: model) == utf8Bytes(#"{"bn":"/5/0/","e":[{"n":"0","sv":"AQIDBAU="}]}"#))
        #expect(try codec.decode(utf8Bytes(#"{"bn":"/5/0/0","e":[{"sv":"AQIDBAU="}]}"#), at: lwPath("/5/0/0"), model: model) == package)
        #expect(try codec.decode(utf8Bytes(#"{"bn":"3/0/1","e":[{"n":"1/0","v":0},{"n":"1/1","v":0}]}"#), at: lwPath("/3/0/11"),
                                 model: model)
            == .resource(try .multiple(id: 11, type: .integer, instances: [0: .integer(0), 1: .integer(0)])))
    }

    @Test("timestamped entries: bt + t, newest first")
    func timestamped() throws {
        let payload = utf8Bytes(#"{"bn":"/1024/0/1","e":[{"v":22.9,"t":-30},{"v":22.4,"t":-5},{"v":24.1,"t":-50}],"bt":25462634}"#)
        let groups = try codec.decodeTimestamped(payload, paths: [lwPath("/1024/0/1")], model: model)
        #expect(groups.map(\.timestamp) == [25_462_629, 25_462_604, 25_462_584])
        #expect(groups.map { $0.nodes[lwPath("/1024/0/1")] }
            == [22.4, 22.9, 24.1].map { LwM2MNode.singleResource(id: 1, value: .float($0)) })
        let toEncode = [TimestampedNodes(timestamp: 100, nodes: [lwPath("/3/0/9"): .singleResource(id: 9, value: .integer(1))])]
        let encoded = try codec.encodeTimestamped(toEncode, model: model)
        #expect(encoded == utf8Bytes(#"{"e":[{"n":"/3/0/9","v":1,"t":100}]}"#))
        #expect(try codec.decodeTimestamped(encoded, paths: nil, model: model) == toEncode)
    }

    @Test("malformed documents and duplicates are errors")
    func errors() throws {
        let cases: [(String, String, LwM2MCodecError.Kind)] = [
            ("{}", "/2", .malformed),
            ("[]", "/2", .malformed),
            ("", "/2", .malformed),
            (#"{"bn":"2/0/","e":[{"n":"0"}]}"#, "/2/0/0", .malformed),
            (#"{"e":[{"n":"/2/0/0","v":1,"bv":true}]}"#, "/2/0/0", .malformed),
            (#"{"e":[{"n":"/2/0/0","v":"1"}]}"#, "/2/0/0", .malformed),
            (#"{"e":{}}"#, "/2", .malformed),
            (#"{"bn":"3/0/","e":[{"n":"1","sv":"client1"},{"n":"1","sv":"client2"}]}"#, "/3/0", .duplicateID),
            (#"{"bn":"3/0/11/","e":[{"n":"1","v":2},{"n":"1","v":0}]}"#, "/3/0/11", .duplicateID),
            (#"{"bn":"2/0/0","e":[]}"#, "/2/0/0", .pathMismatch),
            (#"{"e":[{"n":"/3/0/9","sv":"100"}]}"#, "/3/0/9", .typeMismatch),
        ]
        for (payload, at, kind) in cases {
            expectCodecError(kind) { () throws(LwM2MCodecError) in try codec.decode(utf8Bytes(payload), at: lwPath(at), model: model) }
        }
        #expect(try codec.decode(utf8Bytes(#"{"e":[]}"#), at: lwPath("/2"), model: model)
            == .object(try LwM2MObject(id: 2, instances: [])))
        #expect(try codec.decode(utf8Bytes(#"{"bn":"3/0/6","e":[]}"#), at: lwPath("/3/0/6"), model: model)
            == .resource(try .multiple(id: 6, type: .integer, instances: [:])))
    }
}

@Suite("JSON reader")
struct JSONReaderTests {
    @Test("parses RFC 8259 values and keeps number lexemes")
    func values() throws {
        let value = try JSONValue.parse(utf8Bytes(#" {"a":[1,-0.5e+3,true,false,null,"\u00e9\ud83d\ude00\n\/"],"b":{}} "#))
        guard let members = value.objectMembers, case .array(let items)? = members["a"] else {
            Issue.record("shape"); return
        }
        guard case .number(let first) = items[0], case .number(let second) = items[1],
              case .string(let text) = items[5] else { Issue.record("items"); return }
        #expect(first == "1" && second == "-0.5e+3" && text == "é😀\n/")
        #expect(String(decoding: JSONValue.string("é😀\n/\u{7f}").serialized(), as: UTF8.self) == "\"é😀\\n/\u{7f}\"")
    }

    @Test("rejects invalid JSON", arguments: [
        "", " ", "[", "]", "[1,]", "[01]", "[1.]", "[.1]", "[-]", "[1e]", "{\"a\"}", "{\"a\":1,}", "{1:2}", "[\"\\x\"]",
        "[\"\\ud800\"]", "[\"\\udc00\"]", "[\"\u{1}\"]", "[tru]", "nul", "[1] [2]", "{\"a\":1,\"a\":2}", "[\"\\u12\"]",
    ])
    func invalid(_ text: String) {
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in try JSONValue.parse(utf8Bytes(text)) }
    }

    /// Why the codecs have their own reader: on the same bytes, Foundation's parser (`JSONSerialization`, under
    /// `JSONDecoder` too) takes a SenML record with two names and keeps one of them silently, reports no byte
    /// offset, and hands numbers over as `NSNumber`s whose integer and float readings disagree beyond 2^53.
    @Test("refuses what JSONSerialization would accept or blur")
    func whereFoundationDiffers() throws {
        let twoNames = utf8Bytes(#"[{"n":"/3/0/0","n":"/3/0/1","v":1}]"#)
        #expect((try? JSONSerialization.jsonObject(with: Data(twoNames))) != nil)  // one name wins, silently
        let error = expectCodecError(.malformed) { () throws(LwM2MCodecError) in try JSONValue.parse(twoNames) }
        #expect(error?.offset != nil)
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in
            try LeafFormatCodec.senmlJSON.decodeValues(twoNames, model: CodecTestModel.standard)
        }

        let large = utf8Bytes("[9007199254740993,1.0]")
        let numbers = try #require(try JSONSerialization.jsonObject(with: Data(large)) as? [NSNumber])
        #expect(numbers[0].int64Value == 9_007_199_254_740_993)
        #expect(Int64(exactly: numbers[0].doubleValue) != 9_007_199_254_740_993)  // 2^53 + 1: the float reading is off
        struct Integer: Decodable { let v: Int64 }
        #expect(try JSONDecoder().decode(Integer.self, from: Data(#"{"v":1.0}"#.utf8)).v == 1)  // a float taken as an integer
        guard case .array(let items) = try JSONValue.parse(large), case .number(let exact) = items[0],
              case .number(let float) = items[1] else { Issue.record("shape"); return }
        #expect(exact == "9007199254740993" && Int64(exact) == 9_007_199_254_740_993)
        #expect(float == "1.0")  // stays a float lexeme: a Float resource, not an Integer
    }

    @Test("rejects invalid UTF-8 and nesting beyond the limit")
    func limits() {
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = expectCodecError(.malformed) { () throws(LwM2MCodecError) in try JSONValue.parse(utf8Bytes(deep)) }
        #expect(error?.message.contains("nesting") == true)
        #expect(throws: Never.self) { try JSONValue.parse(utf8Bytes("[[[[1]]]]"), maxDepth: 4) }
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in try JSONValue.parse(utf8Bytes("[[[[1]]]]"), maxDepth: 3) }
    }
}
