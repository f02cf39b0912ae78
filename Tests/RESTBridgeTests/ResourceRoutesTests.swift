import Foundation
import Hummingbird
import HummingbirdTesting
import LwM2M
import Testing

@testable import RESTBridge

/// The base of alpha's resources.
let alpha = "/api/v1/endpoints/alpha/resources"

@Suite("Read and Write")
struct ReadWriteRoutesTests {
    @Test("GET reads the path and answers endpoint, path, format and the node")
    func read() async throws {
        let instance = try LwM2MObjectInstance(id: 0, resources: [
            .single(id: 0, value: .string("ACME")), .single(id: 9, value: .integer(87)),
        ])
        let devices = FakeDeviceManagement(answering: .content(.objectInstance(instance), format: .senmlCBOR))
        let response = try await send(.get, "\(alpha)/3/0", devices: devices)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
        #expect(text(response) == """
            {"content":{"id":0,"kind":"instance","resources":[{"id":0,"kind":"singleResource","type":"string",\
            "value":"ACME"},{"id":9,"kind":"singleResource","type":"integer","value":87}]},"endpoint":"alpha",\
            "format":"application/senml+cbor","path":"/3/0"}
            """)
        #expect(devices.calls == [defaultCall(.read(path("/3/0")))])
    }

    @Test("the escaped path generated clients send (3%2F0%2F9) is the same path", arguments: [
        ("3%2F0%2F9", "/3/0/9"), ("3%2f0", "/3/0"), ("3/0%2F6%2F1", "/3/0/6/1"),
    ])
    func escapedPath(target: String, expected: String) async throws {
        let devices = FakeDeviceManagement(answering: .content(.singleResource(id: 0, value: .string("x")), format: .text))
        let response = try await send(.get, "\(alpha)/\(target)", devices: devices)
        #expect(response.status == .ok)
        #expect(devices.calls == [defaultCall(.read(path(expected)))])
        #expect(try jsonObject(response)["path"] as? String == expected)
    }

    @Test("every depth can be read", arguments: ["3", "3/0", "3/0/0", "3/0/6/1"])
    func readDepths(target: String) async throws {
        let devices = FakeDeviceManagement(answering: .content(.singleResource(id: 0, value: .string("x")), format: .text))
        let response = try await send(.get, "\(alpha)/\(target)", devices: devices)
        #expect(response.status == .ok)
        #expect(devices.calls == [defaultCall(.read(path("/" + target)))])
        #expect(try jsonObject(response)["path"] as? String == "/" + target)
        #expect(try jsonObject(response)["format"] as? String == "text/plain")
    }

    @Test("?format and ?timeout reach the device request", arguments: [
        ("tlv", ContentFormat.tlv), ("senml-json", .senmlJSON), ("senml-cbor", .senmlCBOR), ("json", .lwm2mJSON),
        ("text", .text), ("opaque", .opaque), ("cbor", .cbor),
    ])
    func options(name: String, format: ContentFormat) async throws {
        let devices = FakeDeviceManagement(answering: .content(.singleResource(id: 9, value: .integer(1)), format: format))
        let response = try await send(.get, "\(alpha)/3/0/9?format=\(name)&timeout=300", devices: devices)
        #expect(response.status == .ok)
        #expect(devices.calls == [.init(request: .read(path("/3/0/9")), endpoint: "alpha", format: format, timeout: .seconds(300))])
    }

    @Test("an unknown format is a 400 problem and nothing is sent", arguments: ["xml", "", "TLV", "11542"])
    func badFormat(value: String) async throws {
        let devices = FakeDeviceManagement()
        let response = try await send(.get, "\(alpha)/3/0?format=\(value)", devices: devices)
        #expect(response.status == .badRequest)
        #expect(try problem(response) == ProblemBody(
            type: "https://lwm2m.dev/problems/invalid-query-parameter", title: "Invalid query parameter", status: 400,
            detail: "Query parameter 'format' is '\(value)'; expected one of tlv, senml-json, senml-cbor, json, text, opaque, cbor.",
            instance: "\(alpha)/3/0"))
        #expect(devices.calls.isEmpty)
    }

    @Test("a timeout outside 1...300 whole seconds is a 400 problem", arguments: ["0", "301", "abc", "1.5", "", "-5", "+5"])
    func badTimeout(value: String) async throws {
        let devices = FakeDeviceManagement()
        let response = try await send(.get, "\(alpha)/3/0?timeout=\(value)", devices: devices)
        #expect(response.status == .badRequest)
        #expect(try problem(response).detail
            == "Query parameter 'timeout' is '\(value)'; expected whole seconds in 1...300.")
        #expect(devices.calls.isEmpty)
    }

    @Test("a malformed path is a 400 problem before anything is sent", arguments: [
        ("abc", "'/abc': '/abc': 'abc' is not an id in 0...65535"),
        ("3/0/0/0/0", "'/3/0/0/0/0': '/3/0/0/0/0' has more than 4 ids"),
        ("70000", "'/70000': '/70000': '70000' is not an id in 0...65535"),
        ("3/65535", "'/3/65535': object instance id 65535 (MAX_ID) is reserved"),
        ("3/01", "'/3/01': '/3/01': '01' is not an id in 0...65535"),
        ("-1", "'/-1': '/-1': '-1' is not an id in 0...65535"),
    ])
    func malformedPath(target: String, detail: String) async throws {
        let devices = FakeDeviceManagement()
        let response = try await send(.get, "\(alpha)/\(target)", devices: devices)
        #expect(response.status == .badRequest)
        #expect(try problem(response) == ProblemBody(
            type: "https://lwm2m.dev/problems/invalid-path", title: "Invalid LwM2M path", status: 400, detail: detail,
            instance: "\(alpha)/\(target)"))
        #expect(devices.calls.isEmpty)
    }

    @Test("PUT replaces with the typed node, PATCH updates; both answer 204")
    func write() async throws {
        let devices = FakeDeviceManagement(answering: .changed)
        let put = try await send(.put, "\(alpha)/3/0/14", body: #"{"value":"+02:00"}"#, devices: devices)
        let patch = try await send(
            .patch, "\(alpha)/3303/1?format=tlv", body: #"{"kind":"instance","resources":[{"id":5700,"value":21.5}]}"#,
            devices: devices)
        #expect(put.status == .noContent)
        #expect(patch.status == .noContent)
        #expect(put.body.readableBytes == 0)
        let instance = try LwM2MObjectInstance(id: 1, resources: [.single(id: 5700, value: .float(21.5))])
        #expect(devices.calls == [
            defaultCall(.write(path("/3/0/14"), .singleResource(id: 14, value: .string("+02:00")), mode: .replace)),
            .init(request: .write(path("/3303/1"), .objectInstance(instance), mode: .update), endpoint: "alpha",
                  format: .tlv, timeout: .seconds(5)),
        ])
    }

    @Test("PUT of a resource instance and of a multiple resource")
    func writeInstances() async throws {
        let devices = FakeDeviceManagement(answering: .changed)
        _ = try await send(.put, "\(alpha)/3/0/6/1", body: #"{"id":1,"kind":"resourceInstance","value":5}"#, devices: devices)
        _ = try await send(.put, "\(alpha)/3/0/6", body: #"{"values":{"0":1,"1":5}}"#, devices: devices)
        #expect(devices.calls.map(\.request) == [
            .write(path("/3/0/6/1"), .resourceInstance(LwM2MResourceInstance(id: 1, value: .integer(5))), mode: .replace),
            .write(path("/3/0/6"), .resource(try .multiple(id: 6, type: .integer, instances: [0: .integer(1), 1: .integer(5)])),
                   mode: .replace),
        ])
    }

    @Test("a bad write body is a 400 problem with the member's pointer; nothing is sent", arguments: [
        (#"{"value":"full"}"#, "/3/0/9", "/value",
         "Body member '/value': expected an integer for integer resource /3/0/9, got a string"),
        ("not json", "/3/0/9", "", "the request body is not valid JSON"),
        ("", "/3/0/9", "", "the request body is empty; expected JSON"),
        (#"{"resources":[{"id":9,"value":true}]}"#, "/3/0", "/resources/0/value",
         "Body member '/resources/0/value': expected an integer for integer resource /3/0/9, got a boolean"),
    ])
    func badWriteBody(body: String, target: String, pointer: String, detail: String) async throws {
        let devices = FakeDeviceManagement(answering: .changed)
        let response = try await send(.put, alpha + target, body: body, devices: devices)
        #expect(response.status == .badRequest)
        #expect(try problem(response) == ProblemBody(
            type: "https://lwm2m.dev/problems/invalid-body", title: "Invalid request body", status: 400, detail: detail,
            instance: alpha + target, pointer: pointer))
        #expect(devices.calls.isEmpty)
    }

    @Test("Write of a whole object is refused")
    func writeObject() async throws {
        let devices = FakeDeviceManagement(answering: .changed)
        let response = try await send(.put, "\(alpha)/3", body: #"{"instances":[]}"#, devices: devices)
        #expect(response.status == .badRequest)
        #expect(try problem(response).detail == """
            '/3': Write targets an object instance (/o/i), a resource (/o/i/r) or a resource instance (/o/i/r/ri)
            """)
        #expect(devices.calls.isEmpty)
    }

    @Test("an answer that does not fit the operation is a 502 problem")
    func unexpectedAnswer() async throws {
        let devices = FakeDeviceManagement(answering: .changed)
        let response = try await send(.get, "\(alpha)/3/0/0", devices: devices)
        #expect(response.status == .badGateway)
        #expect(try problem(response) == ProblemBody(
            type: "https://lwm2m.dev/problems/invalid-device-response", title: "Invalid device response", status: 502,
            detail: "The device's answer to Read was 2.04 Changed.", instance: "\(alpha)/3/0/0"))
    }

    @Test("endpoint names are percent-decoded")
    func encodedEndpoint() async throws {
        let devices = FakeDeviceManagement(answering: .content(.singleResource(id: 0, value: .string("x")), format: .text))
        let response = try await send(
            .get, "/api/v1/endpoints/urn%3Aimei%3A490154203237518/resources/3/0/0", devices: devices)
        #expect(response.status == .ok)
        #expect(devices.calls.map(\.endpoint) == ["urn:imei:490154203237518"])
        #expect(try jsonObject(response)["endpoint"] as? String == "urn:imei:490154203237518")
    }
}

@Suite("Execute, Create, Delete")
struct ExecuteCreateDeleteRoutesTests {
    @Test("POST .../execute sends the arguments: none, text or JSON", arguments: [
        ("", nil, nil), ("0='fw',1", "text/plain", "0='fw',1"), (#"{"arguments":"2='x'"}"#, "application/json", "2='x'"),
        (#"{}"#, "application/json; charset=utf-8", nil), (#"{"arguments":null}"#, "application/json", nil),
    ] as [(String, String?, String?)])
    func execute(body: String, contentType: String?, arguments: String?) async throws {
        let devices = FakeDeviceManagement(answering: .changed)
        var headers = authorized
        if let contentType { headers[.contentType] = contentType }
        let response = try await send(.post, "\(alpha)/3/0/4/execute", body: body, headers: headers, devices: devices)
        #expect(response.status == .noContent)
        #expect(devices.calls == [defaultCall(.execute(path("/3/0/4"), arguments: arguments))])
    }

    @Test("bad Execute requests are 400 problems", arguments: [
        ("/3/0/execute", "", "'/3/0': Execute targets a resource (/o/i/r)"),
        ("/3/0/4/execute", #"{"arguments":5}"#, "Body member '/arguments': expected a string, got a number"),
        ("/3/0/4/execute", #"{"args":"x"}"#, "Body member '/args': unknown member 'args'"),
        // Arguments outside the grammar of LwM2M Core §5.4.5 never reach the device.
        ("/3/0/4/execute", #"{"arguments":"hello"}"#,
         "Body member '/arguments': 'hello' is not an Execute argument list (LwM2M Core §5.4.5): digits 0-9, each optionally ='value', comma-separated, e.g. 0='http://x',1"),
        ("/3/0/4/execute", #"{"arguments":"0='a b'"}"#,
         "Body member '/arguments': '0='a b'' is not an Execute argument list (LwM2M Core §5.4.5): digits 0-9, each optionally ='value', comma-separated, e.g. 0='http://x',1"),
    ])
    func badExecute(target: String, body: String, detail: String) async throws {
        let devices = FakeDeviceManagement(answering: .changed)
        var headers = authorized
        headers[.contentType] = "application/json"
        let response = try await send(.post, alpha + target, body: body, headers: headers, devices: devices)
        #expect(response.status == .badRequest)
        #expect(try problem(response).detail == detail)
        #expect(devices.calls.isEmpty)
    }

    @Test("Create with an id: 201, Location and the path")
    func createWithID() async throws {
        let devices = FakeDeviceManagement(answering: .created(nil))
        let response = try await send(
            .post, "\(alpha)/3303?timeout=10", body: #"{"id":7,"resources":[{"id":5701,"value":"Cel"}]}"#, devices: devices)
        #expect(response.status == .created)
        #expect(response.headers[.location] == "/api/v1/endpoints/alpha/resources/3303/7")
        #expect(text(response) == #"{"path":"/3303/7"}"#)
        let instance = try LwM2MObjectInstance(id: 7, resources: [.single(id: 5701, value: .string("Cel"))])
        #expect(devices.calls == [
            .init(request: .create(objectID: 3303, instance: instance), endpoint: "alpha", format: nil, timeout: .seconds(10)),
        ])
    }

    @Test("Create without an id takes the lowest id the endpoint did not announce", arguments: [
        // alpha announced /1/0, /3/0 and /5 (no instance).
        (UInt16(3), UInt16(1)), (1, 1), (5, 0), (3303, 0),
    ])
    func createPicksID(objectID: UInt16, expected: UInt16) async throws {
        let devices = FakeDeviceManagement(answering: .created(nil))
        let response = try await send(.post, "\(alpha)/\(objectID)", body: #"{"kind":"instance","resources":[]}"#, devices: devices)
        #expect(response.status == .created)
        #expect(text(response) == #"{"path":"/\#(objectID)/\#(expected)"}"#)
        #expect(devices.calls.map(\.request) == [.create(objectID: objectID, instance: try LwM2MObjectInstance(id: expected, resources: []))])
    }

    @Test("the device's Location-Path wins; the endpoint is percent-encoded in Location")
    func createLocation() async throws {
        let devices = FakeDeviceManagement(answering: .created(path("/3303/9")))
        let response = try await send(
            .post, "/api/v1/endpoints/urn%3Aimei%3A490154203237518/resources/3303", body: #"{"resources":[]}"#,
            devices: devices)
        #expect(response.status == .created)
        #expect(response.headers[.location] == "/api/v1/endpoints/urn:imei:490154203237518/resources/3303/9")
        #expect(text(response) == #"{"path":"/3303/9"}"#)
        #expect(devices.calls.map(\.endpoint) == ["urn:imei:490154203237518"])
    }

    @Test("Create without an id for an endpoint that never registered is a 404 problem")
    func createUnknownEndpoint() async throws {
        let devices = FakeDeviceManagement(answering: .created(nil))
        let response = try await send(.post, "/api/v1/endpoints/nobody/resources/3303", body: #"{"resources":[]}"#, devices: devices)
        #expect(response.status == .notFound)
        #expect(try problem(response).type == "https://lwm2m.dev/problems/endpoint-not-found")
        #expect(devices.calls.isEmpty)
    }

    @Test("bad Create requests are 400 problems", arguments: [
        ("/3/0", #"{"resources":[]}"#,
         "'/3/0': POST creates an instance and targets an object (/o); execute a resource with POST .../execute"),
        ("/3303", #"{"id":65535,"resources":[]}"#, "Body member '/id': instance id 65535 is reserved (MAX_ID)"),
        ("/3303", #"{"id":1,"kind":"object","instances":[]}"#,
         "Body member '/kind': kind 'object' cannot be at /3303/1; expected instance"),
        ("/3303", #"{"id":1,"resources":[{"id":5700,"value":"hot"}]}"#,
         "Body member '/resources/0/value': expected a number for float resource /3303/1/5700, got a string"),
    ])
    func badCreate(target: String, body: String, detail: String) async throws {
        let devices = FakeDeviceManagement(answering: .created(nil))
        let response = try await send(.post, alpha + target, body: body, devices: devices)
        #expect(response.status == .badRequest)
        #expect(try problem(response).detail == detail)
        #expect(devices.calls.isEmpty)
    }

    @Test("DELETE of an instance answers 204; other depths are 400", arguments: [
        ("3303/1", HTTPResponse.Status.noContent), ("3303", .badRequest), ("3303/1/5700", .badRequest),
    ])
    func delete(target: String, status: HTTPResponse.Status) async throws {
        let devices = FakeDeviceManagement(answering: .deleted)
        let response = try await send(.delete, "\(alpha)/\(target)", devices: devices)
        #expect(response.status == status)
        #expect(devices.calls == (status == .noContent ? [defaultCall(.delete(path("/" + target)))] : []))
    }
}

@Suite("Discover and Write-Attributes")
struct DiscoverAttributesRoutesTests {
    @Test("GET .../discover answers the links with their attributes")
    func discover() async throws {
        let devices = FakeDeviceManagement(answering: .links([
            LwM2MLink(path: path("/3/0"), attributes: [LinkParameter(name: "pmin", value: "10")]),
            LwM2MLink(path: path("/3/0/6"), attributes: [LinkParameter(name: "dim", value: "2")]),
            LwM2MLink(path: path("/3/0/9"), attributes: [
                LinkParameter(name: "gt", value: "50.5"), LinkParameter(name: "lt", value: "10"), LinkParameter(name: "x"),
            ]),
        ]))
        let response = try await send(.get, "\(alpha)/3/0/discover?timeout=2", devices: devices)
        #expect(response.status == .ok)
        #expect(text(response) == """
            {"endpoint":"alpha","links":[{"attributes":{"pmin":"10"},"path":"/3/0"},{"attributes":{"dim":"2"},\
            "path":"/3/0/6"},{"attributes":{"gt":"50.5","lt":"10","x":""},"path":"/3/0/9"}],"path":"/3/0"}
            """)
        #expect(devices.calls == [.init(request: .discover(path("/3/0")), endpoint: "alpha", format: nil, timeout: .seconds(2))])
    }

    @Test("Discover of a resource instance is refused")
    func discoverDepth() async throws {
        let devices = FakeDeviceManagement(answering: .links([]))
        let response = try await send(.get, "\(alpha)/3/0/6/0/discover", devices: devices)
        #expect(response.status == .badRequest)
        #expect(devices.calls.isEmpty)
    }

    @Test("PUT .../attributes sets, and with an empty value unsets, attributes", arguments: [
        ("pmin=10&pmax=60", NotificationAttributes(pmin: 10, pmax: 60)),
        ("gt=20.5&lt=-3&st=0.5", NotificationAttributes(gt: 20.5, lt: -3, st: 0.5)),
        ("epmin=1&epmax=30", NotificationAttributes(epmin: 1, epmax: 30)),
        ("pmin=5&pmax=5", NotificationAttributes(pmin: 5, pmax: 5)),
        ("st&pmin=&lt=&pmax=5", NotificationAttributes(pmax: 5, unset: ["pmin", "lt", "st"])),
        ("pmin=5&timeout=9&format=tlv", NotificationAttributes(pmin: 5)),
    ])
    func attributes(query: String, expected: NotificationAttributes) async throws {
        let devices = FakeDeviceManagement(answering: .changed)
        let response = try await send(.put, "\(alpha)/3/0/9/attributes?\(query)", devices: devices)
        #expect(response.status == .noContent)
        #expect(devices.calls.map(\.request) == [.writeAttributes(path("/3/0/9"), expected)])
    }

    @Test("unknown, repeated or invalid attributes are 400 problems", arguments: [
        ("foo=1", "Query parameter 'foo' is '1'; expected one of epmax, epmin, expiresIn, format, gt, lt, pmax, pmin, st, timeout."),
        ("pmin=-1", "Query parameter 'pmin' is '-1'; expected whole seconds ≥ 0."),
        ("pmax=1.5", "Query parameter 'pmax' is '1.5'; expected whole seconds ≥ 0."),
        ("gt=abc", "Query parameter 'gt' is 'abc'; expected a number."),
        ("lt=inf", "Query parameter 'lt' is 'inf'; expected a number."),
        ("st=-1", "Query parameter 'st' is '-1'; expected a number ≥ 0."),
        ("pmin=1&pmin=2", "Query parameter 'pmin' is '2'; expected the attribute only once."),
        ("timeout=5", "Write-Attributes needs at least one attribute: pmin, pmax, gt, lt, st, epmin, epmax."),
        ("pmin=10&pmax=5", "Attributes that cannot go together: pmin (10) is greater than pmax (5) (LwM2M Core §5.1.2)."),
        ("epmin=5&epmax=5", "Attributes that cannot go together: epmin (5) is not less than epmax (5) (LwM2M Core §5.1.2)."),
    ])
    func badAttributes(query: String, detail: String) async throws {
        let devices = FakeDeviceManagement(answering: .changed)
        let response = try await send(.put, "\(alpha)/3/0/9/attributes?\(query)", devices: devices)
        #expect(response.status == .badRequest)
        #expect(try problem(response).detail == detail)
        #expect(devices.calls.isEmpty)
    }
}

@Suite("Device-management routes: methods and authentication")
struct DeviceRoutesAccessTests {
    @Test("unsupported methods are 405 problems with Allow", arguments: [
        ("\(alpha)/3/0/discover", HTTPRequest.Method.post, "GET, HEAD"),
        ("\(alpha)/3/0/4/execute", .get, "POST"),
        ("\(alpha)/3/0/attributes", .get, "PUT"),
        ("\(alpha)/3/0", .options, "GET, HEAD, PUT, PATCH, POST, DELETE"),
        ("/api/v1/endpoints/alpha/composite", .post, "GET, HEAD, PUT"),
        ("/api/v1/objects", .delete, "GET, HEAD"),
        ("/api/v1/objects/3", .put, "GET, HEAD"),
    ])
    func methodNotAllowed(uri: String, method: HTTPRequest.Method, allow: String) async throws {
        let devices = FakeDeviceManagement()
        let response = try await send(method, uri, devices: devices)
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers[.allow] == allow)
        #expect(devices.calls.isEmpty)
    }

    @Test("every new route needs the token; nothing reaches the device without it", arguments: [
        (HTTPRequest.Method.get, "\(alpha)/3/0"), (.put, "\(alpha)/3/0/14"), (.patch, "\(alpha)/3/0"),
        (.post, "\(alpha)/3303"), (.delete, "\(alpha)/3303/0"), (.post, "\(alpha)/3/0/4/execute"),
        (.get, "\(alpha)/3/0/discover"), (.put, "\(alpha)/3/0/attributes?pmin=1"),
        (.get, "/api/v1/endpoints/alpha/composite?paths=/3/0/0"), (.put, "/api/v1/endpoints/alpha/composite"),
        (.get, "/api/v1/objects"), (.get, "/api/v1/objects/3"),
    ])
    func authentication(method: HTTPRequest.Method, uri: String) async throws {
        let devices = FakeDeviceManagement(answering: .changed)
        let response = try await send(method, uri, body: #"{"value":"x"}"#, headers: [:], devices: devices)
        #expect(response.status == .unauthorized)
        #expect(try problem(response).type == "https://lwm2m.dev/problems/unauthorized")
        #expect(devices.calls.isEmpty)
    }
}
