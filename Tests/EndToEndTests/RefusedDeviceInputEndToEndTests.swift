import Foundation
import Testing

/// What a device cannot carry is refused before anything is stored or sent: out-of-range Send times, composite
/// operations to an LwM2M 1.0 client. libcoap's `coap-client-notls` plays the device (it never answers requests,
/// so a request that was sent would time out: a 400 proves it was refused first).
@Suite("Refused device input: out-of-range Send times, composite operations to LwM2M 1.0", .serialized)
struct RefusedDeviceInputEndToEndTests {
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
        // 2.04 means queued for the ingest; the value is stored a few milliseconds later.
        try await server.eventually("the good Send's value is the latest") {
            let (status, data) = try await server.http("GET", "/api/v1/endpoints/evil/latest")
            return status == 200 && String(decoding: data, as: UTF8.self).contains("2026-11-23T01:02:03.000Z")
        }
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
        // Write-Composite and composite Observe: the same refusal, and no observation is left behind.
        let write = try await server.http(
            "PUT", "/api/v1/endpoints/old/composite", body: Data(#"{"/3/0/14":{"value":"+01:00"}}"#.utf8))
        #expect(write.0 == 400, "\(String(decoding: write.1, as: UTF8.self))")
        #expect(String(decoding: write.1, as: UTF8.self).contains("1.0"))
        let observe = try await server.http(
            "POST", "/api/v1/endpoints/old/observations?timeout=2",
            body: Data(#"{"paths":["/3/0/0","/3/0/1"],"composite":true}"#.utf8))
        #expect(observe.0 == 400, "\(String(decoding: observe.1, as: UTF8.self))")
        #expect(String(decoding: observe.1, as: UTF8.self).contains("1.0"))
        let (_, listing) = try await server.http("GET", "/api/v1/endpoints/old/observations")
        #expect(String(decoding: listing, as: UTF8.self) == "[]")
    }
}
