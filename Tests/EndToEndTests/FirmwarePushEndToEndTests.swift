import Foundation
import FoundationNetworking
import Testing

/// Push delivery end to end (LwM2M Core §E.6: the image written to `/5/0/0` with Block1): the real server, an
/// `lwm2m-sim` device whose received package is logged with its SHA-256, everything driven and checked over REST.
/// The default device takes the push through libcoap's own Block1 reassembly (an implementation independent of
/// the server's block writer); the `--fw-max-block` device refuses larger blocks with 4.13 and a Block1 option,
/// so its push only completes if the server sends the rest in the size the device asked for.
@Suite(.serialized)
struct FirmwarePushEndToEndTests {
    typealias Helpers = FirmwareUpdateEndToEndTests

    func simulator(_ server: ServerProcess, prefix: String, _ extra: [String] = []) throws -> (ChildProcess, URL, URL) {
        let fwLog = server.dataDir.appendingPathComponent("fw-\(prefix).jsonl")
        let log = server.dataDir.appendingPathComponent("sim-\(prefix).log")
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", server.coapURL, "--count", "1", "--prefix", prefix, "--lifetime", "300",
                        "--fw-log", fwLog.path, "--fw-install-ms", "200", "--log-level", "debug"] + extra,
            logURL: log)
        return (sim, fwLog, log)
    }

    /// Uploads `bytes` and starts pushing them to the one device of `prefix` once it is online; the update's id.
    func startPush(_ bytes: Data, version: String, server: ServerProcess, prefix: String) async throws -> Int {
        let firmware = try await Helpers.upload(bytes, version: version, to: server)
        let endpoint = "\(prefix)1"
        try await server.eventually(timeout: .seconds(60), "\(endpoint) online") {
            try await server.endpoints().contains { $0["endpoint"] as? String == endpoint && $0["online"] as? Bool == true }
        }
        let (status, created) = try await server.http(
            "POST", "/api/v1/endpoints/\(endpoint)/firmware-updates",
            body: Helpers.body(["firmwareId": firmware, "method": "push"]))
        #expect(status == 201, "\(String(decoding: created, as: UTF8.self))")
        #expect(Helpers.json(created)["method"] as? String == "push")
        return try #require(Helpers.json(created)["id"] as? Int)
    }

    /// Pushes `bytes` to the one device of `prefix` and waits until the update is final; its view.
    func push(_ bytes: Data, version: String, server: ServerProcess, prefix: String) async throws -> [String: Any] {
        let id = try await startPush(bytes, version: version, server: server, prefix: prefix)
        let endpoint = "\(prefix)1"
        var view: [String: Any] = [:]
        try await server.eventually(timeout: .seconds(240), "the push to \(endpoint) finished") {
            view = Helpers.json(try await server.http("GET", "/api/v1/firmware-updates/\(id)").1)
            let state = view["state"] as? String
            return state == "succeeded" || state == "failed" || state == "cancelled"
        }
        return view
    }

    /// The `block-write` operations of `endpoint`, oldest first.
    func blockWrites(_ server: ServerProcess, _ endpoint: String) async throws -> [[String: Any]] {
        let (_, data) = try await server.http("GET", "/api/v1/operations?endpoint=\(endpoint)&limit=1000")
        let listed = Helpers.json(data)["operations"] as? [[String: Any]] ?? []
        return listed.filter { $0["kind"] as? String == "block-write" }
            .sorted { ($0["id"] as? Int ?? 0) < ($1["id"] as? Int ?? 0) }
    }

    @Test func aOneMebibytePushArrivesWholeAndTheDeviceInstallsIt() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let (sim, fwLog, _) = try simulator(server, prefix: "push-")
        defer { Task { await sim.stop(signal: SIGKILL) } }
        let bytes = Helpers.image(version: "3.0.0", size: 1 << 20)

        let view = try await push(bytes, version: "3.0.0", server: server, prefix: "push-")
        #expect(view["state"] as? String == "succeeded", "\(view)")
        #expect(view["versionAfter"] as? String == "3.0.0")
        #expect(view["bytesDelivered"] as? Int == bytes.count, "\(view)")
        let phases = (view["history"] as? [[String: Any]] ?? []).compactMap { $0["to"] as? String }
        #expect(phases == ["delivering", "downloaded", "updating", "verifying", "succeeded"], "\(phases)")

        let package = try #require(Helpers.packages(fwLog).first, "nothing arrived: \(sim.log.suffix(2000))")
        #expect(package["method"] as? String == "push")
        #expect(package["size"] as? Int == bytes.count)
        #expect(package["sha256"] as? String == Helpers.hex(bytes))
        #expect(Helpers.packages(fwLog).count == 1)

        // 1 MiB in 64 KiB parts: sixteen queued operations, back to back, covering every byte once.
        let parts = try await blockWrites(server, "push-1")
        #expect(parts.count == 16, "\(parts.count) parts")
        var next = 0
        for part in parts {
            let range = try #require(part["blockWrite"] as? [String: Any])
            #expect(part["status"] as? String == "succeeded")
            #expect(range["offset"] as? Int == next)
            #expect(range["total"] as? Int == bytes.count)
            next += range["length"] as? Int ?? 0
        }
        #expect(next == bytes.count)
    }

    @Test func aDeviceThatAsksForSmallerBlocksGetsThePushInThatSize() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let (sim, fwLog, simLog) = try simulator(server, prefix: "small-", ["--fw-max-block", "256"])
        defer { Task { await sim.stop(signal: SIGKILL) } }
        let bytes = Helpers.image(version: "3.1.0", size: 200_000)

        let view = try await push(bytes, version: "3.1.0", server: server, prefix: "small-")
        #expect(view["state"] as? String == "succeeded", "\(view)")
        let package = try #require(Helpers.packages(fwLog).first, "nothing arrived: \(sim.log.suffix(2000))")
        #expect(package["method"] as? String == "push")
        #expect(package["size"] as? Int == bytes.count)
        #expect(package["sha256"] as? String == Helpers.hex(bytes))
        // The device refused the first 1024-byte block; each later part starts at the size it asked for.
        let simText = (try? String(contentsOf: simLog, encoding: .utf8)) ?? ""
        let refusals = simText.components(separatedBy: "Block1 block larger than preferred").count - 1
        #expect(refusals == 1, "\(refusals) blocks refused for their size")
        #expect(try await blockWrites(server, "small-1").count == 4)  // 200,000 bytes in 64 KiB parts
    }

    @Test func aPushCutBySIGKILLResumesAtTheLastPartAndTheDeviceGetsTheExactImage() async throws {
        let server = ServerProcess(mode: .process)  // killed with SIGKILL
        // 1024 blocks 5 ms apart: the push takes over 5 s, long enough to be cut in the middle.
        let arguments = ["--firmware-block-delay-ms", "5"]
        try await server.start(extraArguments: arguments)
        defer { Task { await server.stop() } }
        let (sim, fwLog, _) = try simulator(server, prefix: "cut-")
        defer { Task { await sim.stop(signal: SIGKILL) } }
        let bytes = Helpers.image(version: "3.2.0", size: 1 << 20)
        let id = try await startPush(bytes, version: "3.2.0", server: server, prefix: "cut-")
        func view() async throws -> [String: Any] {
            Helpers.json(try await server.http("GET", "/api/v1/firmware-updates/\(id)").1)
        }
        try await server.eventually(timeout: .seconds(60), "a quarter of the image delivered") {
            (try await view()["bytesDelivered"] as? Int ?? 0) >= 256 << 10
        }
        let cutAt = try await view()["bytesDelivered"] as? Int ?? 0
        #expect(cutAt < bytes.count, "the push ended before the kill")
        #expect(await server.stop(signal: SIGKILL) == SIGKILL)
        try await server.start(extraArguments: arguments)
        var final: [String: Any] = [:]
        try await server.eventually(timeout: .seconds(180), "the update finished after the restart") {
            final = try await view()
            let state = final["state"] as? String
            return state == "succeeded" || state == "failed" || state == "cancelled"
        }
        #expect(final["state"] as? String == "succeeded", "\(final)")
        #expect(final["attempts"] as? Int == 1, "a resumed push is the same delivery: \(final)")
        // The device holds the exact image, received once.
        let packages = Helpers.packages(fwLog)
        #expect(packages.count == 1, "\(packages)")
        #expect(packages.first?["sha256"] as? String == Helpers.hex(bytes))
        // Resumed, not started over: one part per 64 KiB, each queued once, none after the first from byte 0.
        let parts = try await blockWrites(server, "cut-1")
        let offsets = parts.compactMap { ($0["blockWrite"] as? [String: Any])?["offset"] as? Int }
        #expect(offsets == Array(stride(from: 0, to: bytes.count, by: 64 << 10)), "\(offsets)")
        #expect(parts.allSatisfy { $0["status"] as? String == "succeeded" })
    }

    @Test func aCancelledPushStopsAtThePartInFlight() async throws {
        let server = ServerProcess()
        try await server.start(extraArguments: ["--firmware-block-delay-ms", "5"])
        defer { Task { await server.stop() } }
        let (sim, fwLog, _) = try simulator(server, prefix: "stop-")
        defer { Task { await sim.stop(signal: SIGKILL) } }
        let bytes = Helpers.image(version: "3.3.0", size: 1 << 20)
        let id = try await startPush(bytes, version: "3.3.0", server: server, prefix: "stop-")
        try await server.eventually(timeout: .seconds(60), "two parts delivered") {
            (Helpers.json(try await server.http("GET", "/api/v1/firmware-updates/\(id)").1)["bytesDelivered"] as? Int ?? 0)
                >= 128 << 10
        }
        let (status, cancelled) = try await server.http("POST", "/api/v1/firmware-updates/\(id)/cancel")
        #expect(status == 200)
        #expect(Helpers.json(cancelled)["state"] as? String == "cancelled", "\(Helpers.json(cancelled))")
        // The part in flight finishes; nothing follows it, nothing stays queued, and the device has no package.
        try await server.eventually(timeout: .seconds(30), "every part final") {
            try await blockWrites(server, "stop-1").allSatisfy {
                ["succeeded", "failed", "cancelled", "expired"].contains($0["status"] as? String ?? "")
            }
        }
        let count = try await blockWrites(server, "stop-1").count
        try await Task.sleep(for: .seconds(2))
        #expect(try await blockWrites(server, "stop-1").count == count, "no part queued after the cancel")
        #expect(count < 16, "\(count) parts: the push went on")
        #expect(Helpers.packages(fwLog).isEmpty, "\(Helpers.packages(fwLog))")
    }
}

/// A push to a queue-mode device that is asleep: its parts wait in the queue; ending the update withdraws them.
@Suite(.serialized)
struct FirmwarePushWithdrawalEndToEndTests {
    typealias Helpers = FirmwareUpdateEndToEndTests

    @Test func cancellingAPushToASleepingDeviceWithdrawsItsQueuedPart() async throws {
        let server = ServerProcess()
        try await server.start(extraArguments: ["--awake-window", "1"])
        defer { Task { await server.stop() } }
        // A queue-mode registration by coap-client, which then goes quiet: asleep after the 1 s awake window.
        let registered = try await CoAPClientTool.run([
            "-p", "\(FreePort.udp())", "-m", "post", "-t", "40", "-e", "</3/0>,</5/0>",
            "\(server.coapURL)/rd?ep=sleepy-fw&lt=300&lwm2m=1.1&Q",
        ])
        #expect(registered.code == "2.01", "\(registered.output)")
        try await server.eventually(timeout: .seconds(10), "sleepy-fw asleep") {
            try await server.endpoint("sleepy-fw")?["presence"] as? String == "sleeping"
        }
        let firmware = try await Helpers.upload(Helpers.image(version: "4.0.0", size: 100_000), version: "4.0.0", to: server)
        let (status, created) = try await server.http(
            "POST", "/api/v1/endpoints/sleepy-fw/firmware-updates",
            body: Helpers.body(["firmwareId": firmware, "method": "push"]))
        #expect(status == 201, "\(String(decoding: created, as: UTF8.self))")
        let id = try #require(Helpers.json(created)["id"] as? Int)
        func blockWrites() async throws -> [[String: Any]] {
            let (_, data) = try await server.http("GET", "/api/v1/operations?endpoint=sleepy-fw&limit=1000")
            return (Helpers.json(data)["operations"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "block-write" }
        }
        try await server.eventually(timeout: .seconds(10), "the first part queued") {
            try await blockWrites().contains { $0["status"] as? String == "queued" }
        }
        let (cancelStatus, cancelled) = try await server.http("POST", "/api/v1/firmware-updates/\(id)/cancel")
        #expect(cancelStatus == 200)
        #expect(Helpers.json(cancelled)["state"] as? String == "cancelled", "\(Helpers.json(cancelled))")
        try await server.eventually(timeout: .seconds(10), "the queued part withdrawn") {
            let parts = try await blockWrites()
            return !parts.isEmpty && parts.allSatisfy { $0["status"] as? String == "cancelled" }
        }
    }
}
