import Foundation
import Testing

/// DTLS with certificates and raw public keys end to end (issue P8, item 1), against libcoap's own
/// `coap-client-gnutls` with keys and certificates made by `openssl`, and the simulator: the right credential
/// registers; an untrusted certificate or unknown key fails the handshake; a right credential registering another
/// endpoint's name gets 4.03; an endpoint with a credential over plain CoAP gets 4.03.
@Suite(.serialized)
struct PKIEndToEndTests {
    static let gnutlsClient = "/usr/bin/coap-client-gnutls"

    /// `coap-client-gnutls` registering `endpoint` over DTLS with `credential` (its `-M`, `-c`/`-j`, `-u`/`-k` flags).
    func register(_ server: ServerProcess, _ endpoint: String, _ credential: [String]) async throws -> CoAPClientTool.Result {
        try await CoAPClientTool.run(
            ["-m", "post", "-t", "40", "-e", "</1/0>,</3/0>"] + credential
                + ["coaps://127.0.0.1:\(server.coapsPort)/rd?ep=\(endpoint)&lt=60&lwm2m=1.1"],
            executable: Self.gnutlsClient)
    }

    func put(_ server: ServerProcess, _ endpoint: String, _ body: [String: Any]) async throws -> (Int, [String: Any]) {
        let (status, data) = try await server.http(
            "PUT", "/api/v1/security/\(endpoint)", body: try JSONSerialization.data(withJSONObject: body))
        return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    @Test func certificateDevicesRegisterAsTheNameTheirCertificateCarries() async throws {
        let server = ServerProcess()
        let pki = try TestPKI(directory: server.dataDir.appendingPathComponent("pki"))
        try await server.start(extraArguments: ["--tls-ca", pki.caCertificate])
        defer { Task { await server.stop() } }
        // The server made its own pair at first start; devices may pin its certificate (-C).
        let serverCertificate = server.dataDir.appendingPathComponent("dtls-cert.pem").path
        #expect(FileManager.default.fileExists(atPath: serverCertificate))

        let dev = try pki.deviceCertificate(file: "cert-dev-1", san: "cert-dev-1")
        let credential = ["-c", dev.certificate, "-j", dev.key, "-C", serverCertificate]
        let registered = try await register(server, "cert-dev-1", credential)
        #expect(registered.code == "2.01", "\(registered.output)")
        // Stored after the 2.01 (registration events are written asynchronously).
        try await server.eventually("cert-dev-1 stored as a DTLS registration") {
            try await server.endpoint("cert-dev-1")?["transport"] as? String == "dtls"
        }
        // The same certificate naming another endpoint: 4.03.
        let impostor = try await register(server, "cert-dev-2", credential)
        #expect(impostor.code == "4.03", "\(impostor.output)")
        #expect(server.log.contains("certificate 'cert-dev-1' may not act as endpoint 'cert-dev-2'"))
        // A self-signed certificate nobody trusts: the handshake fails, nothing answers, nothing registers.
        let untrusted = try pki.selfSignedCertificate(file: "rogue", cn: "cert-dev-3")
        let rogue = try await register(server, "cert-dev-3", ["-c", untrusted.certificate, "-j", untrusted.key, "-n"])
        #expect(rogue.code == nil, "\(rogue.output)")
        #expect(try await server.endpoint("cert-dev-3") == nil)

        // An explicit subject: the factory's name in the certificate, another endpoint name.
        let factory = try pki.deviceCertificate(file: "factory", san: "SN-000042")
        let (status, body) = try await put(server, "meter-42", ["mode": "x509", "subject": "SN-000042"])
        #expect(status == 201)
        #expect(body["mode"] as? String == "x509")
        #expect(body["subject"] as? String == "SN-000042")
        let meter = try await register(server, "meter-42", ["-c", factory.certificate, "-j", factory.key, "-n"])
        #expect(meter.code == "2.01", "\(meter.output)")
        // The subject belongs to meter-42 now: the certificate cannot take its own name either.
        let own = try await register(server, "SN-000042", ["-c", factory.certificate, "-j", factory.key, "-n"])
        #expect(own.code == "4.03", "\(own.output)")
        // An endpoint holding an x509 credential, over plain CoAP: 4.03.
        let plain = try await CoAPClientTool.register(server, query: "ep=meter-42&lt=60&lwm2m=1.1")
        #expect(plain.code == "4.03", "\(plain.output)")

        // The simulator with a certificate (its name in the path): it registers and the server reaches it.
        try pki.deviceCertificate(file: "simcert-1", san: "simcert-1")
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", "coaps://127.0.0.1:\(server.coapsPort)", "--count", "1", "--prefix", "simcert-",
                        "--cert", pki.path("{name}-cert.pem"), "--key", pki.path("{name}-key.pem"), "--lifetime", "60"],
            logURL: server.dataDir.appendingPathComponent("sim-cert.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await server.eventually(timeout: .seconds(20), "the certificate simulator registered") {
            try await server.endpoint("simcert-1")?["online"] as? Bool == true
        }
        let (readStatus, readBody) = try await server.http("GET", "/api/v1/endpoints/simcert-1/resources/3/0/0")
        #expect(readStatus == 200, "\(String(decoding: readBody, as: UTF8.self))")
        #expect(await sim.stop(signal: SIGINT) == 0)
    }

    @Test func rawPublicKeyDevicesRegisterWithTheirProvisionedKeyOnly() async throws {
        let server = ServerProcess()
        let pki = try TestPKI(directory: server.dataDir.appendingPathComponent("pki"))
        try await server.start(extraArguments: ["--tls-present", "rpk"])
        defer { Task { await server.stop() } }
        let device = try pki.rawPublicKey(file: "rpk-dev-1")
        let (status, body) = try await put(server, "rpk-dev-1", ["mode": "rpk", "publicKey": device.publicKeyBase64])
        #expect(status == 201)
        #expect(body["publicKey"] as? String == device.publicKeyBase64)
        let registered = try await register(server, "rpk-dev-1", ["-M", device.pem])
        #expect(registered.code == "2.01", "\(registered.output)")
        // The key of rpk-dev-1 registering as another provisioned endpoint: 4.03.
        let other = try pki.rawPublicKey(file: "rpk-dev-2")
        #expect(try await put(server, "rpk-dev-2", ["mode": "rpk", "publicKey": other.publicKeyBase64]).0 == 201)
        let impostor = try await register(server, "rpk-dev-2", ["-M", device.pem])
        #expect(impostor.code == "4.03", "\(impostor.output)")
        #expect(server.log.contains("may not act as endpoint 'rpk-dev-2'"))
        // A key nobody provisioned: the handshake fails.
        let stranger = try pki.rawPublicKey(file: "stranger")
        let refused = try await register(server, "stranger", ["-M", stranger.pem])
        #expect(refused.code == nil, "\(refused.output)")
        #expect(try await server.endpoint("stranger") == nil)
        #expect(server.log.contains("DTLS handshake refused"))
        // Over plain CoAP: 4.03.
        let plain = try await CoAPClientTool.register(server, query: "ep=rpk-dev-2&lt=60&lwm2m=1.1")
        #expect(plain.code == "4.03", "\(plain.output)")
        // PSK devices share the port.
        #expect(try await put(server, "psk-dev", ["key": "70736b2d6b65792d3132333435363738"]).0 == 201)
        let psk = try await register(server, "psk-dev", ["-u", "psk-dev", "-k", "psk-key-12345678"])
        #expect(psk.code == "2.01", "\(psk.output)")

        // The simulator with a raw public key, provisioned over REST first.
        let simKey = try pki.rawPublicKey(file: "simrpk-1")
        #expect(try await put(server, "simrpk-1", ["mode": "rpk", "publicKey": simKey.publicKeyBase64]).0 == 201)
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", "coaps://127.0.0.1:\(server.coapsPort)", "--count", "1", "--prefix", "simrpk-",
                        "--rpk", pki.path("{name}.pem"), "--lifetime", "60"],
            logURL: server.dataDir.appendingPathComponent("sim-rpk.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await server.eventually(timeout: .seconds(20), "the raw-public-key simulator registered") {
            try await server.endpoint("simrpk-1")?["online"] as? Bool == true
        }
        let (readStatus, readBody) = try await server.http("GET", "/api/v1/endpoints/simrpk-1/resources/3/0/0")
        #expect(readStatus == 200, "\(String(decoding: readBody, as: UTF8.self))")
        #expect(await sim.stop(signal: SIGINT) == 0)

        // Withdrawing the key closes the door for the next handshake.
        #expect(try await server.http("DELETE", "/api/v1/security/rpk-dev-2").0 == 204)
        let withdrawn = try await register(server, "rpk-dev-2", ["-M", other.pem])
        #expect(withdrawn.code == nil, "\(withdrawn.output)")
    }

    @Test func credentialsOfEveryModeSurviveARestart() async throws {
        let server = ServerProcess()
        let pki = try TestPKI(directory: server.dataDir.appendingPathComponent("pki"))
        try await server.start(extraArguments: ["--tls-present", "rpk", "--tls-ca", pki.caCertificate])
        defer { Task { await server.stop() } }
        let key = try pki.rawPublicKey(file: "keep-rpk")
        #expect(try await put(server, "keep-rpk", ["mode": "rpk", "publicKey": key.publicKeyBase64]).0 == 201)
        #expect(try await put(server, "keep-x509", ["mode": "x509", "subject": "keep-subject"]).0 == 201)
        let publicKey = try String(contentsOf: server.dataDir.appendingPathComponent("dtls-cert.pem"), encoding: .utf8)
        #expect(await server.stop() == 0)
        try await server.start(extraArguments: ["--tls-present", "rpk", "--tls-ca", pki.caCertificate])
        // The same server pair after the restart (devices pinned it).
        #expect(try String(contentsOf: server.dataDir.appendingPathComponent("dtls-cert.pem"), encoding: .utf8) == publicKey)
        let rpk = try await register(server, "keep-rpk", ["-M", key.pem])
        #expect(rpk.code == "2.01", "\(rpk.output)")
        let certificate = try pki.deviceCertificate(file: "keep", san: "keep-subject")
        let x509 = try await register(server, "keep-x509", ["-c", certificate.certificate, "-j", certificate.key, "-n"])
        #expect(x509.code == "2.01", "\(x509.output)")
        let (_, listing) = try await server.http("GET", "/api/v1/security")
        let modes = try #require(try JSONSerialization.jsonObject(with: listing) as? [[String: Any]]).compactMap { $0["mode"] as? String }
        #expect(modes == ["rpk", "x509"])
    }

    @Test func noCoapLeavesOnlyDTLS() async throws {
        let server = ServerProcess()
        try await server.start(extraArguments: ["--no-coap"])
        defer { Task { await server.stop() } }
        let plain = try await CoAPClientTool.register(server, query: "ep=nosec-dev&lt=60&lwm2m=1.1")
        #expect(plain.code == nil, "\(plain.output)")
        #expect(try await server.endpoint("nosec-dev") == nil)
        #expect(try await put(server, "dtls-only", ["key": "70736b2d6b65792d3132333435363738"]).0 == 201)
        let psk = try await register(server, "dtls-only", ["-u", "dtls-only", "-k", "psk-key-12345678"])
        #expect(psk.code == "2.01", "\(psk.output)")
    }
}
