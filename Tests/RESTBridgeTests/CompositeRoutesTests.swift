import Foundation
import Hummingbird
import HummingbirdTesting
import LwM2M
import Testing

@testable import RESTBridge

@Suite("Read-Composite and Write-Composite")
struct CompositeRoutesTests {
    static let uri = "/api/v1/endpoints/alpha/composite"

    @Test("GET ?paths= reads every path and answers the nodes by path")
    func read() async throws {
        let devices = FakeDeviceManagement(answering: .compositeContent([
            path("/3/0/0"): .singleResource(id: 0, value: .string("ACME")),
            path("/3/0/9"): .singleResource(id: 9, value: .integer(87)),
        ], format: .senmlJSON))
        let response = try await send(.get, "\(Self.uri)?paths=/3/0/0,/3/0/9&format=senml-json", devices: devices)
        #expect(response.status == .ok)
        #expect(text(response) == """
            {"content":{"/3/0/0":{"id":0,"kind":"singleResource","type":"string","value":"ACME"},\
            "/3/0/9":{"id":9,"kind":"singleResource","type":"integer","value":87}},"endpoint":"alpha",\
            "format":"application/senml+json"}
            """)
        #expect(devices.calls == [
            .init(request: .readComposite([path("/3/0/0"), path("/3/0/9")]), endpoint: "alpha", format: .senmlJSON,
                  timeout: .seconds(5)),
        ])
    }

    @Test("bad ?paths are 400 problems", arguments: [
        ("", "Query parameter 'paths' is ''; expected comma-separated LwM2M paths like /3/0/0,/3/0/9."),
        ("paths=", "Query parameter 'paths' is ''; expected comma-separated LwM2M paths like /3/0/0,/3/0/9."),
        ("paths=/3/0/0,/x", "Query parameter 'paths' is '/3/0/0,/x'; expected comma-separated LwM2M paths like /3/0/0,/3/0/9; '/x' is not one."),
        ("paths=/3/0/0,", "Query parameter 'paths' is '/3/0/0,'; expected comma-separated LwM2M paths like /3/0/0,/3/0/9; '' is not one."),
        ("paths=/", "Query parameter 'paths' is '/'; expected comma-separated LwM2M paths like /3/0/0,/3/0/9; '/' is not one."),
        ("paths=/3/0,/3/0", "Query parameter 'paths' is '/3/0,/3/0'; expected comma-separated LwM2M paths like /3/0/0,/3/0/9; '/3/0' repeats."),
        // Paths in lists and bodies carry their leading slash (the document's LwM2MPathText).
        ("paths=/3/0,3/0/1", "Query parameter 'paths' is '/3/0,3/0/1'; expected comma-separated LwM2M paths like /3/0/0,/3/0/9; '3/0/1' is not one."),
    ])
    func badPaths(query: String, detail: String) async throws {
        let devices = FakeDeviceManagement()
        let response = try await send(.get, "\(Self.uri)?\(query)", devices: devices)
        #expect(response.status == .badRequest)
        #expect(try problem(response).detail == detail)
        #expect(devices.calls.isEmpty)
    }

    @Test("PUT writes every node, typed by the model at its path")
    func write() async throws {
        let devices = FakeDeviceManagement(answering: .changed)
        let body = """
            {"/3/0/14":{"value":"+01:00"},"/3/0/13":{"id":13,"kind":"singleResource","type":"time","value":0},
             "/3303/1":{"resources":[{"id":5701,"value":"K"}]},"/3/0/6/2":{"value":3}}
            """
        let response = try await send(.put, "\(Self.uri)?timeout=60", body: body, devices: devices)
        #expect(response.status == .noContent)
        #expect(devices.calls == [
            .init(request: .writeComposite([
                path("/3/0/14"): .singleResource(id: 14, value: .string("+01:00")),
                path("/3/0/13"): .singleResource(id: 13, value: .time(0)),
                path("/3303/1"): .objectInstance(try LwM2MObjectInstance(id: 1, resources: [.single(id: 5701, value: .string("K"))])),
                path("/3/0/6/2"): .resourceInstance(LwM2MResourceInstance(id: 2, value: .integer(3))),
            ]), endpoint: "alpha", format: nil, timeout: .seconds(60)),
        ])
    }

    @Test("bad Write-Composite bodies are 400 problems with a pointer", arguments: [
        (#"{}"#, "", "no node to write"),
        (#"[]"#, "", "expected nodes by LwM2M path (a JSON object), got an array"),
        (#"{"/3":{"instances":[]}}"#, "/~13",
         "'/3' is not the path of an object instance, resource or resource instance"),
        (#"{"3/0/x":{"value":1}}"#, "/3~10~1x", "'3/0/x' is not the path of an object instance, resource or resource instance"),
        (#"{"/3/0/9":{"value":"x"}}"#, "/~13~10~19/value", "expected an integer for integer resource /3/0/9, got a string"),
        (#"{"/3/0/9":{"value":1},"3/0/9":{"value":2}}"#, "/3~10~19", "'3/0/9' is not the path of an object instance, resource or resource instance"),
    ])
    func badWrite(body: String, pointer: String, message: String) async throws {
        let devices = FakeDeviceManagement(answering: .changed)
        let response = try await send(.put, Self.uri, body: body, devices: devices)
        #expect(response.status == .badRequest)
        let problem = try problem(response)
        #expect(problem.pointer == pointer)
        #expect(problem.detail == (pointer.isEmpty ? message : "Body member '\(pointer)': \(message)"))
        #expect(devices.calls.isEmpty)
    }
}
