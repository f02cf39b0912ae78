import Foundation
import FoundationNetworking
import Testing

/// `lwm2m-sim`'s Firmware Update object (LwM2M 1.1 Core §E.6) against the real server, driven through the REST
/// device-management routes: a Package URI write makes the device download a stored image over CoAP or HTTP (whole,
/// or broken off and resumed), the `--fw-log` line of every received package is compared by size and SHA-256 with
/// the upload, Execute Update makes the device reboot and register anew with the package's version, and an
/// injected integrity fault shows in Update Result.
@Suite(.serialized)
struct SimulatorFirmwareEndToEndTests {
    /// A server with one stored image and a download link to it.
    struct Setup {
        let server: ServerProcess
        let work: URL
        let size: Int
        let sha256: String
        let version: String
        let coapURI: String
        let httpURI: String
    }

    /// Starts a server, stores a 1 MiB image starting with the simulator's version header, issues a link.
    func prepare(version: String) async throws -> Setup {
        let server = ServerProcess()
        try await server.start()
        let work = server.dataDir.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        var bytes = Array("LWM2M-SIM-FW \(version)\n".utf8)
        bytes += (bytes.count..<(1 << 20)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let image = work.appendingPathComponent("image.bin")
        try Data(bytes).write(to: image)
        let expected = try await sha256(image, work)

        var request = URLRequest(
            url: URL(string: "http://127.0.0.1:\(server.httpPort)/api/v1/firmware?name=sim-fw&version=\(version)")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(ServerProcess.token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        let (answer, response) = try await URLSession.shared.upload(for: request, from: Data(bytes))
        #expect((response as? HTTPURLResponse)?.statusCode == 201)
        let id = try #require((try JSONSerialization.jsonObject(with: answer) as? [String: Any])?["id"] as? Int)
        let built = try #require(server.built)
        let stored = try #require(try await built.firmwareImages.image(id: Int64(id)))
        let link = built.firmwareDownloads.issue(
            for: stored, file: built.firmwareImages.fileURL(of: stored), expiresAt: Date().addingTimeInterval(600))
        return Setup(
            server: server, work: work, size: bytes.count, sha256: expected, version: version,
            coapURI: "\(server.coapURL)/fw/\(link.token)", httpURI: "http://127.0.0.1:\(server.httpPort)/fw/\(link.token)")
    }

    /// Starts `lwm2m-sim` with `count` devices `PREFIX1…` logging packages to `fwLog`, and waits until all are online.
    func simulator(_ setup: Setup, prefix: String, count: Int, fwLog: URL, extra: [String] = []) async throws
        -> ChildProcess
    {
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", setup.server.coapURL, "--count", "\(count)", "--prefix", prefix, "--lifetime", "60",
                        "--fw-log", fwLog.path, "--log-level", "debug"] + extra,
            logURL: setup.work.appendingPathComponent("sim-\(prefix).log"))
        try await setup.server.eventually(timeout: .seconds(60), "\(count) simulated endpoints online") {
            try await setup.server.endpoints()
                .filter { ($0["endpoint"] as? String)?.hasPrefix(prefix) == true && $0["online"] as? Bool == true }
                .count == count
        }
        return sim
    }

    /// A REST Read of `path` on `endpoint`: the value of a single resource.
    func read(_ server: ServerProcess, _ endpoint: String, _ path: String) async throws -> Any? {
        let (status, data) = try await server.http("GET", "/api/v1/endpoints/\(endpoint)/resources/\(path)")
        guard status == 200 else { throw E2EError("read \(path) of \(endpoint) answered \(status)") }
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (json?["content"] as? [String: Any])?["value"]
    }

    /// Polls a REST Read of an integer resource until it is `value`.
    func waitFor(_ server: ServerProcess, _ endpoint: String, _ path: String, toBe value: Int,
                 timeout: Duration = .seconds(60)) async throws {
        try await server.eventually(timeout: timeout, "\(endpoint) /\(path) = \(value)") {
            try await read(server, endpoint, path) as? Int == value
        }
    }

    /// Writes Package URI `/5/0/1`; returns the HTTP status.
    func writeURI(_ server: ServerProcess, _ endpoint: String, _ uri: String) async throws -> Int {
        let body = try JSONSerialization.data(withJSONObject: ["value": uri])
        return try await server.http("PUT", "/api/v1/endpoints/\(endpoint)/resources/5/0/1", body: body).0
    }

    /// Executes `/5/0/2` (Update); returns the HTTP status and the body.
    func executeUpdate(_ server: ServerProcess, _ endpoint: String) async throws -> (Int, [String: Any]) {
        let (status, data) = try await server.http("POST", "/api/v1/endpoints/\(endpoint)/resources/5/0/2/execute")
        return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    /// The `--fw-log` lines.
    func fwLog(_ url: URL) throws -> [[String: Any]] {
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
    }

    /// The package line of `endpoint` in the fw-log, once there.
    func packageLine(_ setup: Setup, _ url: URL, _ endpoint: String) async throws -> [String: Any] {
        try await setup.server.eventually(timeout: .seconds(60), "a package line for \(endpoint)") {
            try fwLog(url).contains { $0["endpoint"] as? String == endpoint && $0["sha256"] != nil }
        }
        return try #require(try fwLog(url).first { $0["endpoint"] as? String == endpoint && $0["sha256"] != nil })
    }

    @Test func coapAndHTTPPullsDeliverTheImageAndUpdateRebootsTheDeviceWithTheNewVersion() async throws {
        let setup = try await prepare(version: "2.0.0-e2e")
        let server = setup.server
        defer { Task { await server.stop() } }
        let log = setup.work.appendingPathComponent("fw.jsonl")
        let sim = try await simulator(setup, prefix: "fwp-", count: 2, fwLog: log)
        defer { Task { await sim.stop(signal: SIGKILL) } }

        #expect(try await read(server, "fwp-1", "3/0/3") as? String == "1.0.0")
        #expect(try await read(server, "fwp-1", "5/0/3") as? Int == 0)
        // Execute Update without a package: 4.05, as Anjay and Zephyr answer.
        let (early, problem) = try await executeUpdate(server, "fwp-1")
        #expect(early == 405)
        #expect(problem["coapCode"] as? String == "4.05")

        #expect(try await writeURI(server, "fwp-1", setup.coapURI) == 204)
        #expect(try await writeURI(server, "fwp-2", setup.httpURI) == 204)
        try await waitFor(server, "fwp-1", "5/0/3", toBe: 2)
        try await waitFor(server, "fwp-2", "5/0/3", toBe: 2)
        #expect(try await read(server, "fwp-1", "5/0/5") as? Int == 0)

        let viaCoAP = try await packageLine(setup, log, "fwp-1")
        #expect(viaCoAP["method"] as? String == "coap-pull")
        #expect(viaCoAP["uri"] as? String == setup.coapURI)
        #expect(viaCoAP["size"] as? Int == setup.size)
        #expect(viaCoAP["sha256"] as? String == setup.sha256)
        #expect(viaCoAP["version"] as? String == setup.version)
        #expect(viaCoAP["resumedAt"] as? Int == 0)
        let viaHTTP = try await packageLine(setup, log, "fwp-2")
        #expect(viaHTTP["method"] as? String == "http-pull")
        #expect(viaHTTP["size"] as? Int == setup.size)
        #expect(viaHTTP["sha256"] as? String == setup.sha256)
        #expect(viaHTTP["resumedAt"] as? Int == 0)

        // Execute Update: 2.04, State 3, then after the install time a reboot — a new registration — with the
        // package's version in /3/0/3.
        let before = try #require(try await server.endpoint("fwp-1")?["registrationId"] as? String)
        let (status, _) = try await executeUpdate(server, "fwp-1")
        #expect(status == 204)
        try await server.eventually(timeout: .seconds(60), "fwp-1 registered anew") {
            let now = try await server.endpoint("fwp-1")
            return now?["online"] as? Bool == true && now?["registrationId"] as? String != before
        }
        try await server.eventually(timeout: .seconds(30), "fwp-1 reports the new version") {
            try await read(server, "fwp-1", "3/0/3") as? String == setup.version
        }
        #expect(try await read(server, "fwp-1", "5/0/7") as? String == setup.version)
        #expect(try await read(server, "fwp-1", "5/0/6") as? String == "lwm2m-sim")
        #expect(try await read(server, "fwp-1", "5/0/3") as? Int == 0)
        #expect(try await read(server, "fwp-1", "5/0/5") as? Int == 1)
        #expect(sim.log.contains("rebooted after a firmware update"))
        // The other device still holds its package, on the old version.
        #expect(try await read(server, "fwp-2", "3/0/3") as? String == "1.0.0")
    }

    @Test func anHTTPDownloadBrokenOffAtAByteResumesFromThatByte() async throws {
        let setup = try await prepare(version: "3.1.4")
        let server = setup.server
        defer { Task { await server.stop() } }
        let log = setup.work.appendingPathComponent("fw.jsonl")
        let sim = try await simulator(setup, prefix: "fwr-", count: 1, fwLog: log, extra: ["--fw-interrupt-at", "300000"])
        defer { Task { await sim.stop(signal: SIGKILL) } }

        #expect(try await writeURI(server, "fwr-1", setup.httpURI) == 204)
        try await waitFor(server, "fwr-1", "5/0/3", toBe: 2)
        let line = try await packageLine(setup, log, "fwr-1")
        #expect(line["method"] as? String == "http-pull")
        #expect(line["resumedAt"] as? Int == 300_000)
        #expect(line["size"] as? Int == setup.size)
        #expect(line["sha256"] as? String == setup.sha256)
        #expect(line["version"] as? String == "3.1.4")
        #expect(sim.log.contains("firmware download interrupted, resuming"))
    }

    @Test func aCoAPDownloadBrokenOffAtAByteResumesFromTheBlockContainingIt() async throws {
        let setup = try await prepare(version: "3.2.7")
        let server = setup.server
        defer { Task { await server.stop() } }
        let log = setup.work.appendingPathComponent("fw.jsonl")
        let sim = try await simulator(setup, prefix: "fwc-", count: 1, fwLog: log, extra: ["--fw-interrupt-at", "300000"])
        defer { Task { await sim.stop(signal: SIGKILL) } }

        #expect(try await writeURI(server, "fwc-1", setup.coapURI) == 204)
        try await waitFor(server, "fwc-1", "5/0/3", toBe: 2)
        let line = try await packageLine(setup, log, "fwc-1")
        #expect(line["method"] as? String == "coap-pull")
        // Block 292 of 1024-byte blocks holds byte 300,000: the download resumes at its first byte (RFC 7959 §2.4).
        #expect(line["resumedAt"] as? Int == 299_008)
        #expect(line["size"] as? Int == setup.size)
        #expect(line["sha256"] as? String == setup.sha256)
        #expect(line["version"] as? String == "3.2.7")
        #expect(sim.log.contains("firmware download interrupted, resuming"))
        #expect(!sim.log.contains("starts over"), "the ETag stayed the same on every block")
        // The blocks before the break carried an ETag; the first block after it carries the same one or none:
        // libcoap 4.3.1 (coap_add_data_large_response) leaves the ETag out of the answer to a transfer whose first
        // request asks for a block above 0, as a resumption on a new session does.
        func etag(after message: String) -> String? {
            let lines = sim.log.split(separator: "\n")
            guard let line = lines.first(where: { $0.contains(message) }), let key = line.range(of: "etag=") else {
                return nil
            }
            let rest: Substring = line[key.upperBound...]
            return String(rest.prefix { $0.isHexDigit || $0 == "-" })
        }
        let before = etag(after: "firmware download interrupted"), after = etag(after: "firmware download resumed")
        #expect(before != nil && before != "-", "\(before ?? "nil")")
        #expect(after == before || after == "-", "\(before ?? "nil") / \(after ?? "nil")")
    }

    @Test func theIntegrityFaultStrikesTheSameChosenDeviceAndReportsUpdateResult5() async throws {
        let setup = try await prepare(version: "4.0.0")
        let server = setup.server
        defer { Task { await server.stop() } }
        let log = setup.work.appendingPathComponent("fw.jsonl")
        let sim = try await simulator(
            setup, prefix: "fwf-", count: 3, fwLog: log, extra: ["--fw-fail", "integrity", "--fw-fail-ratio", "0.34"])
        defer { Task { await sim.stop(signal: SIGKILL) } }

        // round(0.34 × 3) = 1 device: the name with the smallest FNV-1a hash, logged at start.
        let names = (1...3).map { "fwf-\($0)" }
        let chosen = try #require(names.min { fnv1a($0) < fnv1a($1) })
        let faults = try fwLog(log).filter { $0["event"] as? String == "fault" }
        #expect(faults.count == 1)
        #expect(faults.first?["endpoint"] as? String == chosen)
        #expect(faults.first?["kind"] as? String == "integrity")
        let healthy = try #require(names.first { $0 != chosen })

        #expect(try await writeURI(server, chosen, setup.httpURI) == 204)
        #expect(try await writeURI(server, healthy, setup.httpURI) == 204)
        try await waitFor(server, chosen, "5/0/5", toBe: 5)
        #expect(try await read(server, chosen, "5/0/3") as? Int == 0)
        try await waitFor(server, healthy, "5/0/3", toBe: 2)
        #expect(try await read(server, healthy, "5/0/5") as? Int == 0)
        // The package arrived whole (and is logged); the device refused it.
        #expect(try await packageLine(setup, log, chosen)["sha256"] as? String == setup.sha256)
        let (status, _) = try await executeUpdate(server, chosen)
        #expect(status == 405)
    }

    /// The 64-bit FNV-1a hash the simulator ranks names by.
    func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }

    func sha256(_ file: URL, _ work: URL) async throws -> String {
        let out = work.appendingPathComponent("sum-\(UUID().uuidString)")
        let child = try ChildProcess(
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: ["-c", "sha256sum '\(file.path)' | cut -d' ' -f1 > '\(out.path)'"],
            logURL: out.appendingPathExtension("log"))
        while child.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        return try String(contentsOf: out, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
