import Foundation
import Testing

/// Firmware updates of a device built on aiocoap (`Tests/aiocoap/object5_device.py`), a CoAP implementation
/// that shares nothing with the server or `lwm2m-sim`: aiocoap reassembles the pushed Block1 body itself
/// (RFC 7959 §2.5, refusing gaps and overlaps) and fetches a pull URI with its own Block2 client. The device logs
/// the SHA-256 of what it received; `make test` installs aiocoap (pinned) in `.build/test-python`.
@Suite(.serialized)
struct AiocoapFirmwareEndToEndTests {
    typealias Helpers = FirmwareUpdateEndToEndTests

    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// The interpreter with aiocoap: `LWM2M_TEST_PYTHON`, else the one `make test-python` made.
    static var python: URL {
        if let path = ProcessInfo.processInfo.environment["LWM2M_TEST_PYTHON"] { return URL(fileURLWithPath: path) }
        return root.appendingPathComponent(".build/test-python/bin/python3")
    }

    /// Starts the device as `endpoint`; its event log.
    func device(_ server: ServerProcess, endpoint: String, _ extra: [String] = []) throws -> (ChildProcess, URL) {
        guard FileManager.default.isExecutableFile(atPath: Self.python.path) else {
            throw E2EError("no Python with aiocoap at \(Self.python.path): run `make test-python` (or `make test`)")
        }
        let events = server.dataDir.appendingPathComponent("aiocoap-\(endpoint).jsonl")
        let process = try ChildProcess(
            executable: Self.python,
            arguments: [Self.root.appendingPathComponent("Tests/aiocoap/object5_device.py").path,
                        "--server-port", "\(server.coapPort)", "--endpoint", endpoint, "--log", events.path] + extra,
            logURL: server.dataDir.appendingPathComponent("aiocoap-\(endpoint).log"))
        return (process, events)
    }

    func events(_ url: URL) -> [[String: Any]] {
        ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test(arguments: ["push", "coap-pull"])
    func anAiocoapDeviceReceivesTheExactImageAndComesBackWithItsVersion(method: String) async throws {
        try await update(method: method, expected: method, endpoint: "aiocoap-\(method)")
    }

    @Test func autoReadsWhatTheDeviceAnnouncesAndPushesToAPushOnlyDevice() async throws {
        // Nothing stored for /5/0/8 or /5/0/9: `auto` reads them (the device says push only, /5/0/9 = 1) instead
        // of assuming CoAP pull.
        try await update(method: "auto", expected: "push", endpoint: "aiocoap-auto", ["--delivery-method", "1"])
    }

    @Test func aPushToADeviceThatFindsBlock1TransfersByTokenCompletes() async throws {
        // The device reassembles the blocks itself and keys the transfer by token, as Zephyr's LwM2M engine
        // does: a block with another token than block 0 is answered 4.08.
        try await update(method: "push", expected: "push", endpoint: "aiocoap-token", ["--block1-by-token"])
    }

    @Test func aPushToADeviceThatAsksForSmallerBlocksCompletesInThatSize() async throws {
        // The device answers a 1024-byte block with 4.13 and a Block1 option of 128 bytes (RFC 7959 §2.9.3).
        let log = try await update(
            method: "push", expected: "push", endpoint: "aiocoap-small",
            ["--block1-by-token", "--max-block", "128"])
        #expect(events(log).filter { $0["event"] as? String == "block-too-large" }.count == 1,
                "one refusal, then 128-byte blocks: \(events(log).filter { $0["event"] as? String != "package" })")
    }

    /// Updates the device `endpoint` by `method` and checks the update used `expected`, succeeded, and that the
    /// device received the exact image once.
    @discardableResult
    func update(method: String, expected: String, endpoint: String, _ extra: [String] = []) async throws -> URL {
        let server = ServerProcess(mode: .process)  // checks /metrics: process-wide counters
        try await server.start()
        defer { Task { await server.stop() } }
        let (process, log) = try device(server, endpoint: endpoint, extra)
        defer { Task { await process.stop(signal: SIGKILL) } }
        // 300,000 bytes: 293 blocks of 1024, the last one short.
        let bytes = Helpers.image(version: "7.0.0", size: 300_000)
        let firmware = try await Helpers.upload(bytes, version: "7.0.0", to: server)
        try await server.eventually(timeout: .seconds(30), "\(endpoint) registered") {
            try await server.endpoints().contains { $0["endpoint"] as? String == endpoint && $0["online"] as? Bool == true }
        }
        let (status, created) = try await server.http(
            "POST", "/api/v1/endpoints/\(endpoint)/firmware-updates",
            body: Helpers.body(["firmwareId": firmware, "method": method]))
        #expect(status == 201, "\(String(decoding: created, as: UTF8.self))")
        let id = try #require(Helpers.json(created)["id"] as? Int)
        #expect(Helpers.json(created)["method"] as? String == expected)
        var view: [String: Any] = [:]
        try await server.eventually(timeout: .seconds(120), "the update of \(endpoint) finished") {
            view = Helpers.json(try await server.http("GET", "/api/v1/firmware-updates/\(id)").1)
            let state = view["state"] as? String
            return state == "succeeded" || state == "failed" || state == "cancelled"
        }
        #expect(view["state"] as? String == "succeeded", "\(view)\n\(process.log.suffix(2000))")
        #expect(view["versionAfter"] as? String == "7.0.0")
        let phases = (view["history"] as? [[String: Any]] ?? []).compactMap { $0["to"] as? String }
        #expect(phases == ["delivering", "downloaded", "updating", "verifying", "succeeded"], "\(phases)")
        let packages = events(log).filter { $0["event"] as? String == "package" }
        #expect(packages.count == 1, "\(events(log))")
        #expect(packages.first?["method"] as? String == expected)
        #expect(packages.first?["size"] as? Int == bytes.count)
        #expect(packages.first?["sha256"] as? String == Helpers.hex(bytes))
        #expect(events(log).filter { $0["event"] as? String == "registered" }.count == 2, "registered again after installing")
        // Every byte the device took is counted once, by how it went out (a CoAP pull block by block).
        let metrics = String(decoding: try await server.http("GET", "/metrics").1, as: UTF8.self)
        let transport = expected == "push" ? "push" : "coap"
        let served = metrics.split(separator: "\n")
            .first { $0.hasPrefix("lwm2m_firmware_bytes_served_total{transport=\"\(transport)\"}") }
        #expect(served?.split(separator: " ").last.flatMap { Int($0) } == bytes.count, "\(served ?? "none")")
        return log
    }
}
