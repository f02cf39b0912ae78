import Foundation
import Testing

/// Issue 9 #3 and #7 against the real server with libcoap's `coap-client-notls` as the device.
@Suite("Issue 9: composite to 1.0 refused; out-of-range Send times refused", .serialized)
struct Issue9EndToEndTests {
    @Test func aSendWithTimeOutOfRangeIsRefusedAndLatestStillAnswers() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        // The Send must come from the registered address (same source port).
        let device = "\(FreePort.udp())"
        _ = try await CoAPClientTool.run(["-p", device, "-m", "post", "-t", "40", "-e", "</3303/0>",
                                          "\(server.coapURL)/rd?ep=evil&lwm2m=1.1&lt=60"])
        try await server.eventually("registered") { try await server.endpoint("evil") != nil }
        for time in ["1e16", "1e300", "-1e300"] {
            let send = try await CoAPClientTool.run([
                "-p", device, "-m", "post", "-t", "110", "-e", #"[{"n":"/3303/0/5700","v":1,"t":"# + time + "}]", "\(server.coapURL)/dp",
            ])
            #expect(send.code == "4.00", "t:\(time): \(send.output)")
        }
        let good = try await CoAPClientTool.run([
            "-p", device, "-m", "post", "-t", "110", "-e", #"[{"n":"/3303/0/5700","v":2,"t":1795395723}]"#, "\(server.coapURL)/dp",
        ])
        #expect(good.code == "2.04", "\(good.output)")
        let (status, data) = try await server.http("GET", "/api/v1/endpoints/evil/latest")
        #expect(status == 200, "\(String(decoding: data, as: UTF8.self))")
        #expect(String(decoding: data, as: UTF8.self).contains("2026-11-23T01:02:03.000Z"))
    }

    @Test func compositeOperationsToALwM2M10RegistrationAreRefusedBeforeSending() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        _ = try await CoAPClientTool.register(server, query: "ep=old&lwm2m=1.0&lt=60", links: "</3/0>")
        try await server.eventually("registered") { try await server.endpoint("old") != nil }
        let (status, data) = try await server.http("GET", "/api/v1/endpoints/old/composite?paths=/3/0/0,/3/0/1")
        let text = String(decoding: data, as: UTF8.self)
        #expect(status == 400, "\(text)")
        #expect(text.contains("1.0"), "\(text)")
    }
}
