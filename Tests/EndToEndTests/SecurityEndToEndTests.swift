import Foundation
import Testing

/// CoAP over DTLS with pre-shared keys end to end: credentials provisioned over REST, simulated devices
/// registering over coaps://, the server reaching them over their DTLS sessions, and every way to cheat refused.
@Suite(.serialized)
struct SecurityEndToEndTests {
    /// A key of printable characters, so coap-client-gnutls (which takes the key as text) can use it too.
    static let key = "sekret-key-12345"
    static var keyHex: String { key.utf8.map { String(format: "%02x", $0) }.joined() }

    func provision(_ server: ServerProcess, _ endpoint: String, identity: String? = nil) async throws -> Int {
        var body: [String: Any] = ["key": Self.keyHex]
        if let identity { body["identity"] = identity }
        return try await server.http(
            "PUT", "/api/v1/security/\(endpoint)", body: try JSONSerialization.data(withJSONObject: body)).0
    }

    @Test func provisionedDevicesRegisterOverDTLSAndImpostorsAreRefused() async throws {
        let server = ServerProcess()
        let coapsPort = FreePort.udp()
        try await server.start(extraArguments: ["--coaps-port", "\(coapsPort)"])
        defer { Task { await server.stop() } }
        for name in ["sec-1", "sec-2", "sec-3"] { #expect(try await provision(server, name) == 201) }
        // The listing never shows keys.
        let (_, listing) = try await server.http("GET", "/api/v1/security")
        #expect(!String(decoding: listing, as: UTF8.self).contains(Self.keyHex))

        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", "coaps://127.0.0.1:\(coapsPort)", "--psk-key", Self.keyHex, "--count", "3",
                        "--prefix", "sec-", "--lifetime", "60"],
            logURL: server.dataDir.appendingPathComponent("sim.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await server.eventually(timeout: .seconds(20), "three devices registered over DTLS") {
            let online = try await server.endpoints().filter { $0["online"] as? Bool == true }.compactMap { $0["endpoint"] as? String }
            return Set(online).isSuperset(of: ["sec-1", "sec-2", "sec-3"])
        }
        // The server reaches a device over its DTLS session.
        let (readStatus, readBody) = try await server.http("GET", "/api/v1/endpoints/sec-2/resources/3/0/0")
        #expect(readStatus == 200, "\(String(decoding: readBody, as: UTF8.self))")

        // sec-1's identity and key, registering as sec-2: 4.03.
        let impostor = try await CoAPClientTool.run(
            ["-m", "post", "-t", "40", "-e", "</3/0>", "-u", "sec-1", "-k", Self.key,
             "coaps://127.0.0.1:\(coapsPort)/rd?ep=sec-2&lt=60&lwm2m=1.1"],
            executable: "/usr/bin/coap-client-gnutls")
        #expect(impostor.code == "4.03", "\(impostor.output)")
        // A provisioned endpoint over plain CoAP: 4.03.
        let plain = try await CoAPClientTool.register(server, query: "ep=sec-3&lt=60&lwm2m=1.1")
        #expect(plain.code == "4.03", "\(plain.output)")
        // A wrong key: no handshake, no answer, no registration.
        let wrongKey = try await CoAPClientTool.run(
            ["-m", "post", "-t", "40", "-e", "</3/0>", "-u", "sec-4", "-k", "not-the-key-0000",
             "coaps://127.0.0.1:\(coapsPort)/rd?ep=sec-4&lt=60&lwm2m=1.1"],
            executable: "/usr/bin/coap-client-gnutls")
        #expect(wrongKey.code == nil, "\(wrongKey.output)")
        #expect(try await server.endpoint("sec-4") == nil)
        // An identity nobody provisioned: refused the same way.
        let unknown = try await CoAPClientTool.run(
            ["-m", "post", "-t", "40", "-e", "</3/0>", "-u", "stranger", "-k", Self.key,
             "coaps://127.0.0.1:\(coapsPort)/rd?ep=stranger&lt=60&lwm2m=1.1"],
            executable: "/usr/bin/coap-client-gnutls")
        #expect(unknown.code == nil, "\(unknown.output)")
        // The real registrations are untouched, and the log says why each attempt was refused.
        #expect(try await server.endpoint("sec-2")?["online"] as? Bool == true)
        #expect(server.log.contains("PSK identity 'sec-1' may not act as endpoint 'sec-2'"))
        #expect(server.log.contains("must use CoAP over DTLS"))
        #expect(server.log.contains("unknown PSK identity"))
        #expect(await sim.stop(signal: SIGINT) == 0)
    }

    @Test func credentialsSurviveARestart() async throws {
        let server = ServerProcess()
        let coapsPort = FreePort.udp()
        try await server.start(extraArguments: ["--coaps-port", "\(coapsPort)"])
        defer { Task { await server.stop() } }
        #expect(try await provision(server, "keep-1", identity: "keep-identity") == 201)
        #expect(await server.stop() == 0)
        try await server.start(extraArguments: ["--coaps-port", "\(coapsPort)"])
        let register = try await CoAPClientTool.run(
            ["-m", "post", "-t", "40", "-e", "</3/0>", "-u", "keep-identity", "-k", Self.key,
             "coaps://127.0.0.1:\(coapsPort)/rd?ep=keep-1&lt=60&lwm2m=1.1"],
            executable: "/usr/bin/coap-client-gnutls")
        #expect(register.code == "2.01", "\(register.output)")
    }

    /// Issue 9, fault 0: after a restart the server restored a DTLS registration and reached it in plaintext from
    /// the plain CoAP port, believing whatever answered on the device's old address. Now the device is
    /// unreachable (its requests queue as for a sleeping device) until it talks over DTLS again.
    @Test func aRestoredDTLSDeviceIsNeverSentPlaintext() async throws {
        let server = ServerProcess(mode: .process)  // killed with SIGKILL below
        try await server.start()
        defer { Task { await server.stop() } }
        #expect(try await provision(server, "dtls-dev") == 201)
        let devicePort = FreePort.udp()
        let register = try await CoAPClientTool.run(
            ["-p", "\(devicePort)", "-m", "post", "-t", "40", "-e", "</1/0>,</3/0>", "-u", "dtls-dev", "-k", Self.key,
             "coaps://127.0.0.1:\(server.coapsPort)/rd?ep=dtls-dev&lt=300&lwm2m=1.1"],
            executable: "/usr/bin/coap-client-gnutls")
        #expect(register.code == "2.01", "\(register.output)")
        let location = register.locationPath
        try await server.eventually("registration stored") { try await server.endpoint("dtls-dev") != nil }
        #expect(try await server.endpoint("dtls-dev")?["transport"] as? String == "dtls")

        // A hard restart (the graceful one is covered elsewhere), then a forger on the device's old address.
        await server.stop(signal: SIGKILL)
        try await server.start()
        let forger = try PlainUDPResponder(port: devicePort, answer: "SPOOFED")
        let (status, body) = try await server.http("GET", "/api/v1/endpoints/dtls-dev/resources/3/0/0?format=text")
        let text = String(decoding: body, as: UTF8.self)
        #expect(status == 202, "\(text)")
        #expect(!text.contains("SPOOFED"))
        #expect(try await server.endpoint("dtls-dev")?["presence"] as? String == "sleeping")
        try await Task.sleep(for: .milliseconds(500))
        #expect(forger.datagrams == 0, "the server sent plaintext to a DTLS device")
        forger.close()
        #expect(!server.log.contains("opened a session to a restored registration"))

        // The device updates over DTLS: the queued Read now goes to it over that DTLS session (coap-client answers
        // requests it has no resource for with 4.04, which is what the operation records).
        let object = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        let id = try #require(object?["id"] as? Int)
        let update = try await CoAPClientTool.run(
            ["-p", "\(devicePort)", "-m", "post", "-t", "40", "-u", "dtls-dev", "-k", Self.key,
             "coaps://127.0.0.1:\(server.coapsPort)/\(location.joined(separator: "/"))"],
            executable: "/usr/bin/coap-client-gnutls")
        #expect(update.code == "2.04", "\(update.output)")
        try await server.eventually(timeout: .seconds(20), "the queued read was attempted over DTLS") {
            let (_, data) = try await server.http("GET", "/api/v1/operations/\(id)")
            let operation = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            return (operation?["attempts"] as? Int ?? 0) >= 1
        }
        #expect(try await server.endpoint("dtls-dev")?["transport"] as? String == "dtls")
    }

    /// Issue 9, fault 10: a graceful stop after a DTLS client closed its session aborted in libcoap
    /// (`coap_free_endpoint: Assertion 'session->ref == 0'`, exit 134): the reference held for the registration
    /// was never released.
    @Test func aGracefulStopAfterDTLSSessionsClosedExitsCleanly() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        for name in ["closer-1", "closer-2"] {
            #expect(try await provision(server, name) == 201)
            let register = try await CoAPClientTool.run(
                ["-m", "post", "-t", "40", "-e", "</3/0>", "-u", name, "-k", Self.key,
                 "coaps://127.0.0.1:\(server.coapsPort)/rd?ep=\(name)&lt=300&lwm2m=1.1"],
                executable: "/usr/bin/coap-client-gnutls")
            #expect(register.code == "2.01", "\(register.output)")
        }
        try await server.eventually("both registrations stored") {
            let first = try await server.endpoint("closer-1")
            let second = try await server.endpoint("closer-2")
            return first != nil && second != nil
        }
        #expect(await server.stop(signal: SIGTERM) == 0, "\(server.log.suffix(2000))")
        #expect(!server.log.contains("Assertion"))
    }
}
