import Foundation
import Testing

/// The server's limits (issue P8 item 3), each a flag: refused with a clear code, a log line and
/// `lwm2m_limit_refusals_total{limit}` (process mode: metrics are process-wide). libcoap's `coap-client-notls` and
/// curl are the clients.
@Suite(.serialized)
struct LimitsEndToEndTests {
    func metric(_ server: ServerProcess, _ limit: String) async throws -> Int? {
        let text = String(decoding: try await server.http("GET", "/metrics").1, as: UTF8.self)
        return text.split(separator: "\n")
            .first { $0.hasPrefix("lwm2m_limit_refusals_total{limit=\"\(limit)\"}") }
            .flatMap { $0.split(separator: " ").last.flatMap { Int($0) } }
    }

    func register(_ server: ServerProcess, _ name: String, from address: String = "127.0.0.1") async throws -> CoAPClientTool.Result {
        try await CoAPClientTool.run([
            "-a", address, "-p", "\(FreePort.udp())", "-m", "post", "-t", "40", "-e", "</3/0>",
            "\(server.coapURL)/rd?ep=\(name)&lt=60",
        ])
    }

    @Test func coapLimitsRefuseTooManyEndpointsTooFastRegistersAndTooLargeBodies() async throws {
        let server = ServerProcess(mode: .process)
        // One Register per 100 s and address (a bucket of one): nothing refills during the test, however slow.
        try await server.start(extraArguments: [
            "--max-endpoints", "3", "--register-rate", "0.01", "--max-coap-payload", "1024",
        ])
        defer { Task { await server.stop() } }

        // Endpoints (each Register from its own loopback address, so the rate limit stays out of the way): three
        // names register, a fourth is 5.03; a known name may register again.
        for (index, name) in ["lim-1", "lim-2", "lim-3"].enumerated() {
            #expect(try await register(server, name, from: "127.0.0.\(11 + index)").code == "2.01")
        }
        let fourth = try await register(server, "lim-4", from: "127.0.0.14")
        #expect(fourth.code == "5.03", "\(fourth.output)")
        #expect(try await register(server, "lim-2", from: "127.0.0.15").code == "2.01", "re-registering a known name")
        #expect(try await metric(server, "endpoints") == 1)
        #expect(server.log.contains("maximum of 3 registered endpoints"))

        // Rate: 127.0.0.2 registers once, then gets 4.29 with Max-Age; another address has its own bucket.
        #expect(try await register(server, "lim-1", from: "127.0.0.2").code == "2.01")
        let throttled = try await register(server, "lim-1", from: "127.0.0.2")
        #expect(throttled.code == "4.29", "\(throttled.output)")
        #expect(throttled.output.contains("Max-Age"), "\(throttled.output)")
        #expect(try await register(server, "lim-3", from: "127.0.0.3").code == "2.01")
        #expect(try await metric(server, "register-rate") == 1)
        #expect(server.log.contains("refused register: rate limit"))

        // A body over --max-coap-payload (1024): 4.13 with Size1, in one datagram and block-wise.
        let big = String(repeating: "x", count: 1100)
        let single = try await CoAPClientTool.run(["-m", "post", "-t", "0", "-e", big, "\(server.coapURL)/dp"])
        #expect(single.code == "4.13", "\(single.output)")
        #expect(single.output.contains("Size1"), "\(single.output)")
        let blockwise = try await CoAPClientTool.run([
            "-m", "post", "-t", "0", "-b", "256", "-e", String(repeating: "y", count: 3000), "\(server.coapURL)/dp",
        ])
        #expect(blockwise.code == "4.13", "\(blockwise.output)")
        #expect(try await metric(server, "coap-payload") ?? 0 >= 2)
    }

    @Test func restLimitsRefuseTooLargeBodiesAndTooManyStreamClients() async throws {
        let server = ServerProcess(mode: .process)
        try await server.start(extraArguments: ["--max-body-size", "2048", "--max-stream-clients", "2"])
        defer { Task { await server.stop() } }
        // A body over --max-body-size: 413 problem before the route reads it; the firmware upload is not capped
        // by it.
        let big = Data(#"{"name":"\#(String(repeating: "p", count: 3000))","paths":["/3/0/0"]}"#.utf8)
        let (status, problem) = try await server.http("POST", "/api/v1/observation-profiles", body: big)
        #expect(status == 413, "\(String(decoding: problem, as: UTF8.self))")
        #expect(String(decoding: problem, as: UTF8.self).contains("body-too-large"))
        _ = try await FirmwareUpdateEndToEndTests.upload(Data(repeating: 7, count: 10_000), version: "1", to: server)
        #expect(try await metric(server, "rest-body") == 1)

        // Two stream clients fit; a third gets 503 with Retry-After (SSE) or close code 4503 (WebSocket).
        let streams = try (0..<2).map { index in
            try ChildProcess(
                executable: URL(fileURLWithPath: "/usr/bin/curl"),
                arguments: ["-sN", "-H", "Authorization: Bearer \(ServerProcess.token)",
                            "http://127.0.0.1:\(server.httpPort)/api/v1/stream"],
                logURL: server.dataDir.appendingPathComponent("sse-\(index).log"))
        }
        defer { for stream in streams { Task { await stream.stop(signal: SIGKILL) } } }
        try await server.eventually("both streams connected") { streams.allSatisfy { $0.log.contains(": connected") } }
        let (third, body) = try await server.http("GET", "/api/v1/stream")
        #expect(third == 503, "\(String(decoding: body, as: UTF8.self))")
        let port = server.httpPort
        let closed = try await onOwnThread { () -> UInt16? in
            let probe = try WebSocketProbe(port: port, path: "/api/v1/ws", token: ServerProcess.token)
            return probe.nextText() == nil ? probe.closeCode : nil
        }
        #expect(closed == 4503)
        #expect(try await metric(server, "stream-clients") == 2)
        #expect(server.log.contains("live-stream client refused: limit"))
    }

    @Test func perEndpointLimitsRefuseTooManyObservationsAndQueuedOperations() async throws {
        let server = ServerProcess(mode: .process)
        try await server.start(extraArguments: [
            "--max-observations-per-endpoint", "2", "--max-queued-operations-per-endpoint", "3",
        ])
        defer { Task { await server.stop() } }
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", server.coapURL, "--count", "1", "--prefix", "quota-", "--lifetime", "60"],
            logURL: server.dataDir.appendingPathComponent("sim.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await server.eventually(timeout: .seconds(20), "the device registered") {
            try await server.endpoint("quota-1")?["online"] as? Bool == true
        }
        func observe(_ path: String) async throws -> (Int, String) {
            let (status, body) = try await server.http(
                "POST", "/api/v1/endpoints/quota-1/observations", body: Data(#"{"paths":["\#(path)"]}"#.utf8))
            return (status, String(decoding: body, as: UTF8.self))
        }
        // Two observations fit; the third is refused before anything goes to the device.
        #expect(try await observe("/3/0/9").0 == 201)
        #expect(try await observe("/3/0/10").0 == 201)
        let third = try await observe("/3/0/13")
        #expect(third.0 == 409, "\(third.1)")
        #expect(third.1.contains("limit-exceeded"))
        #expect(try await metric(server, "observations") == 1)
        #expect(server.log.contains("observation refused: too many observations"))
        // Cancelling one makes room again.
        #expect(try await server.http("DELETE", "/api/v1/endpoints/quota-1/observations?paths=/3/0/9").0 == 200)
        #expect(try await observe("/3/0/13").0 == 201)

        // Operations queued for later (notBefore in an hour) stay open: three fit, the fourth is refused whole.
        let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        func queue() async throws -> (Int, String) {
            let body = #"{"kind":"read","path":"/3/0/0","notBefore":"\#(later)"}"#
            let (status, data) = try await server.http("POST", "/api/v1/endpoints/quota-1/operations", body: Data(body.utf8))
            return (status, String(decoding: data, as: UTF8.self))
        }
        for _ in 0..<3 { #expect(try await queue().0 == 201) }
        let fourth = try await queue()
        #expect(fourth.0 == 409, "\(fourth.1)")
        #expect(fourth.1.contains("limit-exceeded"))
        #expect(try await metric(server, "queued-operations") == 1)
        let (_, listing) = try await server.http("GET", "/api/v1/operations?endpoint=quota-1&status=queued")
        let page = try JSONSerialization.jsonObject(with: listing) as? [String: Any]
        #expect((page?["operations"] as? [Any])?.count == 3)
    }
}
