import CoAP
import Foundation
import Logging
import Testing

/// A device that registers properly and then answers every request with garbage.
@Suite(.serialized)
struct GarbageDeviceEndToEndTests {
    @Test func undecodableAnswersAreBadGatewayAndTheServerCarriesOn() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }

        let device = CoAPEndpoint(configuration: .init(), logger: Logger(label: "garbage-device")) { inbound in
            switch inbound.request.path {
            case "/3/0": return CoAPResponse(code: .content, contentFormat: 11542, payload: [0xC8, 0x00, 0x14, 0x41])  // truncated TLV
            case "/3/0/0": return CoAPResponse(code: .content, contentFormat: 110, payload: Array("[{\"n\":".utf8))  // broken SenML
            case "/1/0/1": return CoAPResponse(code: .content, contentFormat: 60, payload: [0xFF, 0xFF])  // not CBOR
            case "/4/0": return CoAPResponse(code: .changed)  // a 2.04 answer to a Read
            default: return .error(.internalServerError, "boom")
            }
        }
        try device.start()
        defer { device.stop() }
        let session = try await device.connect(host: "127.0.0.1", port: server.coapPort)
        let registered = try await device.send(
            CoAPRequest(method: .post, uriPath: ["rd"], uriQuery: ["ep=garbage", "lt=300", "lwm2m=1.1"],
                        contentFormat: 40, payload: Array("</1/0>,</3/0>,</4/0>".utf8)),
            on: session)
        #expect(registered.code == .created)

        for (path, expected) in [("3/0", 502), ("3/0/0", 502), ("1/0/1", 502), ("4/0", 502), ("3/0/13", 502)] {
            let (status, data) = try await server.http("GET", "/api/v1/endpoints/garbage/resources/\(path)")
            #expect(status == expected, "\(path): \(String(decoding: data, as: UTF8.self))")
            let problem = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            #expect(problem?["status"] as? Int == expected)
        }
        let (_, data) = try await server.http("GET", "/api/v1/endpoints/garbage/resources/3/0/13")
        let problem = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(problem?["coapCode"] as? String == "5.00")

        // The server is unaffected: the registration is intact and a normal client still registers.
        #expect(try await server.endpoint("garbage")?["online"] as? Bool == true)
        let other = try await CoAPClientTool.register(server, query: "ep=after-garbage-device&lt=60")
        #expect(other.code == "2.01")
        #expect(server.isRunning)
    }
}
