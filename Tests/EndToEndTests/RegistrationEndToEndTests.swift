import Foundation
import Testing

/// The real server on loopback, driven by libcoap's coap-client, checked over REST.
@Suite(.serialized)
struct RegistrationEndToEndTests {
    @Test func registerUpdateDeregisterWithCoapClient() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }

        let registered = try await CoAPClientTool.register(
            server, query: "ep=cli-1&lt=120&lwm2m=1.1&b=U",
            links: #"</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</5>;ver=1.1"#)
        #expect(registered.code == "2.01", "\(registered.output)")
        #expect(registered.locationPath.count == 2)
        #expect(registered.locationPath.first == "rd")
        let id = try #require(registered.locationPath.last)

        try await server.eventually("cli-1 listed") { try await server.endpoints().contains { $0["endpoint"] as? String == "cli-1" } }
        let endpoint = try #require(try await server.endpoint("cli-1"))
        #expect(endpoint["registrationId"] as? String == id)
        #expect(endpoint["lwm2mVersion"] as? String == "1.1")
        #expect(endpoint["binding"] as? String == "U")
        #expect(endpoint["lifetime"] as? Int == 120)
        #expect(endpoint["online"] as? Bool == true)
        #expect(endpoint["objectLinks"] as? [String] == ["/1/0", "/3/0", "/5"])
        #expect(endpoint["supportedContentFormats"] as? [Int] == [110])
        #expect((endpoint["registeredAt"] as? String)?.hasSuffix("Z") == true)
        let firstSeen = try #require(endpoint["lastSeen"] as? String)

        try await Task.sleep(for: .milliseconds(20))
        let updated = try await CoAPClientTool.run(["-m", "post", "\(server.coapURL)/rd/\(id)?lt=300"])
        #expect(updated.code == "2.04", "\(updated.output)")
        try await server.eventually("lifetime updated") { try await server.endpoint("cli-1")?["lifetime"] as? Int == 300 }
        let afterUpdate = try #require(try await server.endpoint("cli-1"))
        #expect((afterUpdate["lastSeen"] as? String ?? "") > firstSeen)

        let deleted = try await CoAPClientTool.run(["-m", "delete", "\(server.coapURL)/rd/\(id)"])
        #expect(deleted.code == "2.02", "\(deleted.output)")
        try await server.eventually("cli-1 offline") { try await server.endpoint("cli-1")?["online"] as? Bool == false }
        let again = try await CoAPClientTool.run(["-m", "post", "\(server.coapURL)/rd/\(id)"])
        #expect(again.code == "4.04")

        let (status, body) = try await server.http("GET", "/api/v1/endpoints/nobody")
        #expect(status == 404)
        let problem = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        #expect(problem?["status"] as? Int == 404)
        #expect(problem?["title"] != nil)
    }

    @Test func restAPIRequiresTheBearerToken() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        #expect(try await server.http("GET", "/healthz", token: nil).0 == 200)
        #expect(try await server.http("GET", "/api/v1/endpoints", token: nil).0 == 401)
        #expect(try await server.http("GET", "/api/v1/endpoints", token: "wrong").0 == 401)
        #expect(try await server.http("GET", "/api/v1/endpoints").0 == 200)
    }

    @Test func expiredLifetimeTakesTheEndpointOffline() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let registered = try await CoAPClientTool.register(server, query: "ep=short-lived&lt=2")
        #expect(registered.code == "2.01")
        try await server.eventually("online") { try await server.endpoint("short-lived")?["online"] as? Bool == true }
        let started = ContinuousClock.now
        try await server.eventually(timeout: .seconds(10), "expired") {
            try await server.endpoint("short-lived")?["online"] as? Bool == false
        }
        #expect(ContinuousClock.now - started >= .seconds(1))
        let id = try #require(registered.locationPath.last)
        let late = try await CoAPClientTool.run(["-m", "post", "\(server.coapURL)/rd/\(id)"])
        #expect(late.code == "4.04")
        #expect(server.log.contains("registration expired"))
    }

    @Test func registrationsSurviveARestart() async throws {
        let server = ServerProcess()
        try await server.start()
        let registered = try await CoAPClientTool.register(server, query: "ep=durable&lt=600&lwm2m=1.0")
        let id = try #require(registered.locationPath.last)
        try await server.eventually("stored") { try await server.endpoint("durable") != nil }
        let status = await server.stop()
        #expect(status == 0, "graceful shutdown failed:\n\(server.log)")
        #expect(server.log.contains("stopped"))
        #expect(!server.log.contains(" error "))
        try await server.start()
        defer { Task { await server.stop() } }
        let restored = try #require(try await server.endpoint("durable"))
        #expect(restored["online"] as? Bool == true)
        #expect(restored["registrationId"] as? String == id)
        let update = try await CoAPClientTool.run(["-m", "post", "\(server.coapURL)/rd/\(id)"])
        #expect(update.code == "2.04", "\(update.output)")
    }

    @Test func badInputIsRefusedAndNothingIsLost() async throws {
        // Its own process: libcoap's log handler is process-wide, so in process its "discard malformed PDU" lines
        // may go to the log of whichever server installed the handler last (suites run side by side).
        let server = ServerProcess(mode: .process)
        try await server.start()
        defer { Task { await server.stop() } }
        let keeper = try await CoAPClientTool.register(server, query: "ep=keeper&lt=600")
        #expect(keeper.code == "2.01")
        try await server.eventually("keeper stored") { try await server.endpoint("keeper") != nil }

        let noEndpoint = try await CoAPClientTool.register(server, query: "lt=60")
        #expect(noEndpoint.code == "4.00")
        let badLifetime = try await CoAPClientTool.register(server, query: "ep=bad&lt=abc")
        #expect(badLifetime.code == "4.00")
        let badLinks = try await CoAPClientTool.register(server, query: "ep=bad", links: "</1/0")
        #expect(badLinks.code == "4.00")
        let badVersion = try await CoAPClientTool.register(server, query: "ep=bad&lwm2m=9.9")
        #expect(badVersion.code == "4.12")

        // Random datagrams straight at the CoAP port.
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = server.coapPort.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var generator = SystemRandomNumberGenerator()
        for size in 1...300 {
            var bytes = (0..<(size % 97 + 1)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if size % 3 == 0 { bytes[0] = 0x40 | (bytes[0] & 0x0F) }  // looks like CoAP v1, then garbage
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }

        // Still serving, nothing lost.
        let after = try await CoAPClientTool.register(server, query: "ep=after-garbage&lt=600")
        #expect(after.code == "2.01")
        try await server.eventually("after-garbage stored") { try await server.endpoint("after-garbage") != nil }
        #expect(try await server.endpoint("keeper")?["online"] as? Bool == true)
        #expect(try await server.endpoint("bad") == nil)
        #expect(try await server.endpoints().count == 2)
        // libcoap's own lines reach the log through its log handler, possibly after the answers did.
        try? await server.eventually(timeout: .seconds(10), "libcoap's discard line logged") {
            server.log.contains("discard malformed PDU")
        }
        let log = server.log
        #expect(log.contains("refused register"))
        #expect(log.contains("missing 'ep' parameter"))
        #expect(log.contains("invalid 'lt' parameter"))
        #expect(log.contains("malformed link-format payload"))
        #expect(log.contains("discard malformed PDU"))
        #expect(server.isRunning)
    }
}
