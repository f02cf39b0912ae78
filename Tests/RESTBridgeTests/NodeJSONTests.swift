import Foundation
import LwM2M
import Testing

@testable import RESTBridge

/// The JSON text of a node as the API writes it (sorted keys).
func json(_ node: LwM2MNode) throws -> String {
    String(decoding: try APIJSON.encoder().encode(NodeDTO(node)), as: UTF8.self)
}

/// Decodes a JSON text as a node body at `path` over the test model.
func decodeNode(_ text: String, at target: String) throws(NodeJSONError) -> LwM2MNode {
    try NodeJSONDecoder(model: testModel).node(try RequestJSON.parse(Array(text.utf8)), at: path(target))
}

/// The error decoding `text` at `path` throws, or `nil` when it decodes.
func decodeError(_ text: String, at target: String) -> NodeJSONError? {
    do {
        _ = try decodeNode(text, at: target)
        return nil
    } catch {
        return error
    }
}

@Suite("Node JSON: encoding")
struct NodeJSONEncodingTests {
    @Test("every kind has the documented shape")
    func kinds() throws {
        let manufacturer = LwM2MResource.single(id: 0, value: .string("ACME"))
        let sources = try LwM2MResource.multiple(id: 6, type: .integer, instances: [0: .integer(1), 1: .integer(5)])
        #expect(try json(.resource(manufacturer)) == #"{"id":0,"kind":"singleResource","type":"string","value":"ACME"}"#)
        #expect(try json(.resource(sources))
            == #"{"id":6,"kind":"multiResource","type":"integer","values":{"0":1,"1":5}}"#)
        #expect(try json(.resourceInstance(LwM2MResourceInstance(id: 1, value: .integer(5))))
            == #"{"id":1,"kind":"resourceInstance","type":"integer","value":5}"#)
        let instance = try LwM2MObjectInstance(id: 0, resources: [sources, manufacturer])
        #expect(try json(.objectInstance(instance)) == """
            {"id":0,"kind":"instance","resources":[{"id":0,"kind":"singleResource","type":"string","value":"ACME"},\
            {"id":6,"kind":"multiResource","type":"integer","values":{"0":1,"1":5}}]}
            """)
        let object = try LwM2MObject(id: 3, instances: [
            try LwM2MObjectInstance(id: 1, resources: []), try LwM2MObjectInstance(id: 0, resources: [manufacturer]),
        ])
        #expect(try json(.object(object)) == """
            {"id":3,"instances":[{"id":0,"kind":"instance","resources":[{"id":0,"kind":"singleResource",\
            "type":"string","value":"ACME"}]},{"id":1,"kind":"instance","resources":[]}],"kind":"object"}
            """)
    }

    @Test("every value type has its JSON encoding", arguments: [
        (LwM2MValue.string("héllo \"x\""), #""héllo \"x\"""#, "string"),
        (.integer(-9_223_372_036_854_775_808), "-9223372036854775808", "integer"),
        (.unsignedInteger(18_446_744_073_709_551_615), "18446744073709551615", "unsignedInteger"),
        (.float(20.5), "20.5", "float"),
        (.float(-0.125), "-0.125", "float"),
        (.float(.nan), #""NaN""#, "float"),
        (.float(-.infinity), #""-Infinity""#, "float"),
        (.boolean(true), "true", "boolean"),
        (.opaque([0x01, 0x02, 0xFF]), #""AQL/""#, "opaque"),
        (.opaque([]), #""""#, "opaque"),
        (.time(1_795_395_723), #""2026-11-23T01:02:03.000Z""#, "time"),
        (.time(0), #""1970-01-01T00:00:00.000Z""#, "time"),
        (.time(-62_135_596_801), "-62135596801", "time"),
        (.objlnk(objectID: 3, instanceID: 0), #""3:0""#, "objlnk"),
        (.objlnk(objectID: 65535, instanceID: 65535), #""65535:65535""#, "objlnk"),
        (.corelnk([WebLink(target: "/3/0", parameters: [LinkParameter(name: "pmin", value: "10")])]),
         #""</3/0>;pmin=10""#, "corelnk"),
    ])
    func values(value: LwM2MValue, expected: String, type: String) throws {
        #expect(try json(.singleResource(id: 7, value: value))
            == #"{"id":7,"kind":"singleResource","type":"\#(type)","value":\#(expected)}"#)
    }
}

@Suite("Node JSON: decoding")
struct NodeJSONDecodingTests {
    /// One value of every type, at its resource of object 30000 (single 0–8).
    static let typedValues: [(UInt16, LwM2MValue)] = [
        (0, .string("ACME")), (1, .integer(-42)), (2, .unsignedInteger(18_446_744_073_709_551_615)),
        (3, .float(-3.25)), (4, .boolean(false)), (5, .opaque([0, 1, 2, 250])), (6, .time(1_795_395_723)),
        (7, .objlnk(objectID: 3303, instanceID: 1)),
        (8, .corelnk([WebLink(target: "/3303/0", parameters: [LinkParameter(name: "rt", value: "temp", quoted: true)])])),
    ]

    @Test("every kind and type round-trips through JSON")
    func roundTrips() throws {
        var singles: [LwM2MResource] = []
        var multiples: [LwM2MResource] = []
        for (id, value) in Self.typedValues {
            let single = LwM2MResource.single(id: id, value: value)
            let multiple = try LwM2MResource.multiple(id: id + 10, type: value.dataType, instances: [0: value, 7: value])
            singles.append(single)
            multiples.append(multiple)
            #expect(try decodeNode(try json(.resource(single)), at: "/30000/1/\(id)") == .resource(single))
            #expect(try decodeNode(try json(.resource(multiple)), at: "/30000/1/\(id + 10)") == .resource(multiple))
            let instance = LwM2MNode.resourceInstance(LwM2MResourceInstance(id: 7, value: value))
            #expect(try decodeNode(try json(instance), at: "/30000/1/\(id + 10)/7") == instance)
        }
        let instance = LwM2MNode.objectInstance(try LwM2MObjectInstance(id: 1, resources: singles + multiples))
        #expect(try decodeNode(try json(instance), at: "/30000/1") == instance)
        let object = LwM2MNode.object(try LwM2MObject(id: 30000, instances: [
            try LwM2MObjectInstance(id: 1, resources: singles), try LwM2MObjectInstance(id: 4, resources: multiples),
        ]))
        #expect(try decodeNode(try json(object), at: "/30000") == object)
    }

    @Test("kind, type and id may be omitted: the path and the model supply them")
    func shorthand() throws {
        #expect(try decodeNode(#"{"value":"+02:00"}"#, at: "/3/0/14") == .singleResource(id: 14, value: .string("+02:00")))
        #expect(try decodeNode(#"{"value":55}"#, at: "/3/0/6/2")
            == .resourceInstance(LwM2MResourceInstance(id: 2, value: .integer(55))))
        #expect(try decodeNode(#"{"values":{"0":1,"3":2}}"#, at: "/3/0/6")
            == .resource(try .multiple(id: 6, type: .integer, instances: [0: .integer(1), 3: .integer(2)])))
        #expect(try decodeNode(#"{"resources":[{"id":5700,"value":21}]}"#, at: "/3303/2")
            == .objectInstance(try LwM2MObjectInstance(id: 2, resources: [.single(id: 5700, value: .float(21))])))
    }

    @Test("a resource unknown to the model is typed by its explicit type")
    func unknownResource() throws {
        #expect(try decodeNode(#"{"type":"unsignedInteger","value":7}"#, at: "/3/0/99")
            == .singleResource(id: 99, value: .unsignedInteger(7)))
        #expect(try decodeNode(#"{"kind":"singleResource","type":"boolean","value":true}"#, at: "/4242/0/1")
            == .singleResource(id: 1, value: .boolean(true)))
    }

    @Test("time accepts ISO 8601 with any offset or fraction, and integer epoch seconds", arguments: [
        #""2026-11-23T01:02:03Z""#, #""2026-11-23T01:02:03.999Z""#, #""2026-11-23T03:02:03+02:00""#, "1795395723",
    ])
    func timeInput(text: String) throws {
        #expect(try decodeNode(#"{"value":\#(text)}"#, at: "/3/0/13") == .singleResource(id: 13, value: .time(1_795_395_723)))
    }

    @Test("a float resource takes integers and the non-finite names too")
    func floatInput() throws {
        #expect(try decodeNode(#"{"value":21}"#, at: "/30000/0/3") == .singleResource(id: 3, value: .float(21)))
        #expect(try decodeNode(#"{"value":1e3}"#, at: "/30000/0/3") == .singleResource(id: 3, value: .float(1000)))
        let nan = try decodeNode(#"{"value":"NaN"}"#, at: "/30000/0/3")
        guard case .resource(let resource) = nan, case .float(let value)? = resource.value else {
            Issue.record("not a float: \(nan)")
            return
        }
        #expect(value.isNaN)
    }

    @Test("opaque accepts unpadded base64")
    func unpaddedBase64() throws {
        #expect(try decodeNode(#"{"value":"AQL/"}"#, at: "/30000/0/5") == .singleResource(id: 5, value: .opaque([1, 2, 255])))
        #expect(try decodeNode(#"{"value":"AQI"}"#, at: "/30000/0/5") == .singleResource(id: 5, value: .opaque([1, 2])))
    }

    @Test("bad bodies are rejected with the pointer of the member and a message naming it", arguments: [
        // wrong JSON types
        (#"{"value":42}"#, "/3/0/0", "/value", "expected a JSON string for string resource /3/0/0, got a number"),
        (#"{"value":"42"}"#, "/3/0/9", "/value", "expected an integer for integer resource /3/0/9, got a string"),
        (#"{"value":1.5}"#, "/3/0/9", "/value", "expected an integer for integer resource /3/0/9, got a number"),
        (#"{"value":1}"#, "/30000/0/4", "/value", "expected true or false for boolean resource /30000/0/4, got a number"),
        (#"{"value":null}"#, "/30000/0/0", "/value", "expected a JSON string for string resource /30000/0/0, got null"),
        (#"[1]"#, "/3/0/0", "", "expected a node (a JSON object), got an array"),
        // out of range
        (#"{"value":9223372036854775808}"#, "/3/0/9", "/value",
         "9223372036854775808 is out of range for integer resource /3/0/9 (-2^63...2^63-1)"),
        (#"{"value":1e30}"#, "/3/0/9", "/value", "1e+30 is out of range for integer resource /3/0/9 (-2^63...2^63-1)"),
        (#"{"value":-1}"#, "/30000/0/2", "/value", "-1 is out of range for unsignedInteger resource /30000/0/2 (0...2^64-1)"),
        (#"{"value":"70000:0"}"#, "/30000/0/7", "/value", "'70000:0' is not an object link 'objectID:instanceID'"),
        // bad strings
        (#"{"value":"no base64!"}"#, "/30000/0/5", "/value", "'no base64!' is not base64 (RFC 4648 §4)"),
        (#"{"value":"yesterday"}"#, "/3/0/13", "/value",
         "'yesterday' is not an ISO 8601 instant like 2026-11-23T01:02:03Z"),
        (#"{"value":1.5}"#, "/3/0/13", "/value",
         "expected an ISO 8601 string or integer epoch seconds for time resource /3/0/13, got a number"),
        (#"{"value":"/3/0"}"#, "/30000/0/8", "/value", "invalid link format at byte 0: expected '<' at the start of a link"),
        // model conflicts
        (#"{"type":"integer","value":"x"}"#, "/3/0/0", "/type",
         "'integer' contradicts the object model: resource /3/0/0 (Manufacturer) is string"),
        (#"{"value":7}"#, "/3/0/99", "", "resource /3/0/99 is not in the object model; give its 'type'"),
        (#"{"type":"none","value":7}"#, "/3/0/99", "/type",
         "expected one of string, integer, unsignedInteger, float, boolean, opaque, time, objlnk, corelnk"),
        (#"{"value":1}"#, "/3/0/4", "", "resource /3/0/4 (Reboot) is executable and has no value"),
        (#"{"value":1}"#, "/3/0/6", "", "resource /3/0/6 (Available Power Sources) is a multiple-instance resource; send 'values'"),
        (#"{"values":{"0":1}}"#, "/3/0/9", "", "resource /3/0/9 (Battery Level) is a single-instance resource; send 'value'"),
        (#"{"value":1}"#, "/3/0/9/0", "", "resource /3/0/9 (Battery Level) is a single-instance resource; it has no instances"),
        // shape and path
        (#"{"kind":"instance","resources":[]}"#, "/3/0/0", "/kind",
         "kind 'instance' cannot be at /3/0/0; expected singleResource or multiResource"),
        (#"{"kind":"singleResource","value":"x"}"#, "/3/0", "/kind", "kind 'singleResource' cannot be at /3/0; expected instance"),
        (#"{"kind":"thing","value":"x"}"#, "/3/0/0", "/kind",
         "expected one of object, instance, singleResource, multiResource, resourceInstance"),
        (#"{"id":1,"value":"x"}"#, "/3/0/0", "/id", "id 1 does not match the path /3/0/0"),
        (#"{"id":-1,"value":"x"}"#, "/3/0/0", "/id", "expected an id in 0...65535"),
        (#"{"value":"x","unit":"V"}"#, "/3/0/0", "/unit", "unknown member 'unit' for a singleResource"),
        (#"{"type":"string"}"#, "/3/0/0", "", "a resource needs 'value' (single) or 'values' (multiple)"),
        (#"{"kind":"singleResource"}"#, "/3/0/0", "", "missing member 'value'"),
        (#"{"resources":{}}"#, "/3/0", "/resources", "expected an array, got an object"),
        (#"{"resources":[{"value":"x"}]}"#, "/3/0", "/resources/0", "missing member 'id'"),
        (#"{"resources":[{"id":0,"value":"x"},{"id":0,"value":"y"}]}"#, "/3/0", "/resources/1/id", "id 0 appears twice"),
        (#"{"resources":[{"id":0,"value":"x"},{"id":9,"value":"full"}]}"#, "/3/0", "/resources/1/value",
         "expected an integer for integer resource /3/0/9, got a string"),
        (#"{"values":{"01":1}}"#, "/3/0/6", "/values/01", "'01' is not a resource-instance id in 0...65535"),
        (#"{"values":{"2":"x"}}"#, "/3/0/6", "/values/2", "expected an integer for integer resource /3/0/6/2, got a string"),
        (#"{"instances":[{"id":65535,"resources":[]}]}"#, "/3", "/instances/0/id", "id 65535 is reserved (MAX_ID)"),
    ])
    func rejected(body: String, target: String, pointer: String, message: String) {
        let error = decodeError(body, at: target)
        #expect(error == NodeJSONError(pointer: pointer, message))
    }

    @Test("a body that is not JSON is rejected as a whole")
    func notJSON() {
        #expect(throws: NodeJSONError(pointer: "", "the request body is not valid JSON")) {
            try RequestJSON.parse(Array("{value: 1}".utf8))
        }
        #expect(throws: NodeJSONError(pointer: "", "the request body is empty; expected JSON")) {
            try RequestJSON.parse([UInt8]())
        }
    }

    @Test("JSON pointers escape '~' and '/' (RFC 6901)")
    func pointerEscaping() {
        #expect(NodeJSONError.pointer("", "/3/0/14") == "/~13~10~114")
        #expect(NodeJSONError.pointer("/a", "m~n") == "/a/m~0n")
    }
}
