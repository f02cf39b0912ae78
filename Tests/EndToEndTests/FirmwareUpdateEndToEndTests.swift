import Crypto
import Foundation
import FoundationNetworking
import Testing

/// Firmware updates and campaigns end to end: the real server, `lwm2m-sim` devices with a faithful Object 5
/// that download for real and log the SHA-256 of every package they received, everything driven and checked
/// over REST.
@Suite(.serialized)
struct FirmwareUpdateEndToEndTests {
    /// An image the simulator recognises: the header line names the version it installs.
    static func image(version: String, size: Int) -> Data {
        var data = Data("LWM2M-SIM-FW \(version)\n".utf8)
        var generator = SystemRandomNumberGenerator()
        data.append(contentsOf: (0..<(size - data.count)).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        return data
    }

    static func hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func json(_ data: Data) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    static func body(_ object: [String: Any]) -> Data {
        try! JSONSerialization.data(withJSONObject: object)
    }

    /// Uploads `bytes` as firmware `version`; returns its id.
    static func upload(_ bytes: Data, version: String, to server: ServerProcess) async throws -> Int {
        var request = URLRequest(
            url: URL(string: "http://127.0.0.1:\(server.httpPort)/api/v1/firmware?name=sim&version=\(version)")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(ServerProcess.token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        let (answer, response) = try await URLSession.shared.upload(for: request, from: bytes)
        #expect((response as? HTTPURLResponse)?.statusCode == 201)
        return try #require(json(answer)["id"] as? Int)
    }

    /// The packages the simulator logged (`--fw-log`), one JSON object per line.
    static func packages(_ log: URL) -> [[String: Any]] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["sha256"] != nil }
    }

    /// The devices the simulator chose to fail (`{"event":"fault","endpoint":..}` lines of its `--fw-log`).
    static func faults(_ log: URL) -> [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]).flatMap {
                $0["event"] as? String == "fault" ? $0["endpoint"] as? String : nil
            }
        }
    }

    func simulator(_ server: ServerProcess, prefix: String, count: Int = 1, _ extra: [String] = []) throws
        -> (ChildProcess, URL)
    {
        let fwLog = server.dataDir.appendingPathComponent("fw-\(prefix).jsonl")
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", server.coapURL, "--count", "\(count)", "--prefix", prefix, "--lifetime", "120",
                        "--rate", "50", "--fw-log", fwLog.path, "--fw-install-ms", "200"] + extra,
            logURL: server.dataDir.appendingPathComponent("sim-\(prefix).log"))
        return (sim, fwLog)
    }

    func waitOnline(_ server: ServerProcess, _ count: Int, prefix: String) async throws {
        try await server.eventually(timeout: .seconds(60), "\(count) \(prefix) devices online") {
            try await server.endpoints().filter {
                $0["online"] as? Bool == true && ($0["endpoint"] as? String ?? "").hasPrefix(prefix)
            }.count == count
        }
    }

    func update(_ server: ServerProcess, _ id: Int) async throws -> [String: Any] {
        Self.json(try await server.http("GET", "/api/v1/firmware-updates/\(id)").1)
    }

    func campaign(_ server: ServerProcess, _ id: Int) async throws -> [String: Any] {
        Self.json(try await server.http("GET", "/api/v1/campaigns/\(id)").1)
    }

    @Test func oneDeviceByCoAPPullAndOneByHTTPPullInstallTheExactImage() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let bytes = Self.image(version: "2.0.0", size: 1 << 20)
        let firmware = try await Self.upload(bytes, version: "2.0.0", to: server)
        let (sim, fwLog) = try simulator(server, prefix: "pull-", count: 2)
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await waitOnline(server, 2, prefix: "pull-")

        var ids: [String: Int] = [:]
        for (endpoint, method) in [("pull-1", "coap-pull"), ("pull-2", "http-pull")] {
            let (status, data) = try await server.http(
                "POST", "/api/v1/endpoints/\(endpoint)/firmware-updates",
                body: Self.body(["firmwareId": firmware, "method": method]))
            #expect(status == 201, "\(String(decoding: data, as: UTF8.self))")
            ids[endpoint] = try #require(Self.json(data)["id"] as? Int)
            #expect(Self.json(data)["method"] as? String == method)
        }
        // One at a time per endpoint.
        let (again, _) = try await server.http(
            "POST", "/api/v1/endpoints/pull-1/firmware-updates", body: Self.body(["firmwareId": firmware]))
        #expect(again == 409)

        for (endpoint, id) in ids {
            try await server.eventually(timeout: .seconds(120), "\(endpoint) update finished") {
                let state = try await update(server, id)["state"] as? String
                return state == "succeeded" || state == "failed" || state == "cancelled"
            }
            let view = try await update(server, id)
            #expect(view["state"] as? String == "succeeded", "\(view)")
            #expect(view["versionBefore"] as? String == nil || view["versionBefore"] as? String == "1.0.0")
            #expect(view["versionAfter"] as? String == "2.0.0")
            let phases = (view["history"] as? [[String: Any]] ?? []).compactMap { $0["to"] as? String }
            #expect(phases == ["delivering", "downloaded", "updating", "verifying", "succeeded"], "\(phases)")
        }
        let received = Self.packages(fwLog)
        let expected = Self.hex(bytes)
        for (endpoint, method) in [("pull-1", "coap-pull"), ("pull-2", "http-pull")] {
            let package = try #require(received.first { $0["endpoint"] as? String == endpoint }, "\(received)")
            #expect(package["method"] as? String == method)
            #expect(package["size"] as? Int == bytes.count)
            #expect(package["sha256"] as? String == expected)
        }
        // The device came back with the new version, and the update lists under the endpoint.
        let (_, listed) = try await server.http("GET", "/api/v1/endpoints/pull-1/firmware-updates")
        #expect((Self.json(listed)["updates"] as? [[String: Any]])?.first?["id"] as? Int == ids["pull-1"])
        // The link died with the update.
        #expect(try #require(server.built).firmwareDownloads.count == 0)
    }

    @Test(arguments: ["http-pull", "coap-pull"])
    func anUpdateWhoseDownloadIsCutInTheMiddleResumesAndInstallsTheExactImage(method: String) async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let bytes = Self.image(version: "2.5.0", size: 1 << 20)
        let firmware = try await Self.upload(bytes, version: "2.5.0", to: server)
        // The device's first download breaks off after 300,000 bytes and resumes about 1 s later from there
        // (HTTP: Range/If-Range; CoAP: the block holding that byte, on a new session).
        let (sim, fwLog) = try simulator(server, prefix: "cut-\(method)-", ["--fw-interrupt-at", "300000"])
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await waitOnline(server, 1, prefix: "cut-\(method)-")
        let (status, data) = try await server.http(
            "POST", "/api/v1/endpoints/cut-\(method)-1/firmware-updates",
            body: Self.body(["firmwareId": firmware, "method": method]))
        #expect(status == 201, "\(String(decoding: data, as: UTF8.self))")
        let id = try #require(Self.json(data)["id"] as? Int)
        try await server.eventually(timeout: .seconds(120), "the update finished") {
            let state = try await update(server, id)["state"] as? String
            return state == "succeeded" || state == "failed" || state == "cancelled"
        }
        let view = try await update(server, id)
        #expect(view["state"] as? String == "succeeded", "\(view)")
        #expect(view["attempts"] as? Int == 1, "the device resumed by itself: one delivery")
        let packages = Self.packages(fwLog)
        #expect(packages.count == 1, "\(packages)")
        let package = try #require(packages.first)
        #expect(package["sha256"] as? String == Self.hex(bytes))
        let resumedAt = package["resumedAt"] as? Int ?? 0
        // HTTP resumes at the byte itself; CoAP at the start of the 1024-byte block holding it.
        #expect(resumedAt == (method == "http-pull" ? 300_000 : 300_000 / 1024 * 1024), "\(package)")
    }

    @Test func aCampaignOverAHundredDevicesWithTenPercentFailuresEndsWithExactCounts() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let bytes = Self.image(version: "3.1.0", size: 32 << 10)
        let firmware = try await Self.upload(bytes, version: "3.1.0", to: server)
        let (sim, fwLog) = try simulator(
            server, prefix: "fleet-", count: 100, ["--fw-fail", "integrity", "--fw-fail-ratio", "0.1"])
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await waitOnline(server, 100, prefix: "fleet-")

        let (status, data) = try await server.http("POST", "/api/v1/campaigns", body: Self.body([
            "firmwareId": firmware, "pattern": "fleet-*", "method": "coap-pull", "maxConcurrent": 25,
            "failureThreshold": 0.5, "thresholdMinimum": 10, "waves": [0.1, 0.5, 1.0],
        ]))
        #expect(status == 201, "\(String(decoding: data, as: UTF8.self))")
        let id = try #require(Self.json(data)["id"] as? Int)
        #expect(Self.json(data)["total"] as? Int == 100)
        try await server.eventually(timeout: .seconds(300), "campaign completed") {
            try await campaign(server, id)["status"] as? String == "completed"
        }
        let final = try await campaign(server, id)
        let counts = final["counts"] as? [String: Int] ?? [:]
        #expect(counts["succeeded"] == 90, "\(counts)")
        #expect(counts["failed"] == 10, "\(counts)")
        // The failed ones are exactly the devices the simulator chose to fail.
        let faulty = Set(Self.faults(fwLog))
        let failed = Set((final["devices"] as? [[String: Any]] ?? []).filter { $0["state"] as? String == "failed" }
            .compactMap { $0["endpoint"] as? String })
        #expect(failed == faulty)
        #expect(Self.packages(fwLog).allSatisfy { $0["sha256"] as? String == Self.hex(bytes) })
        let update = try await self.update(server, try #require(
            (final["devices"] as? [[String: Any]])?.first { failed.contains($0["endpoint"] as? String ?? "") }?["updateId"] as? Int))
        #expect((update["result"] as? [String: Any])?["code"] as? Int == 5, "\(update)")
        #expect((update["lastError"] as? String ?? "").contains("integrity"), "\(update)")
    }

    @Test func aCampaignPausesWhenTheThresholdIsCrossedAndCompletesAfterResume() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let bytes = Self.image(version: "4.0.0", size: 16 << 10)
        let firmware = try await Self.upload(bytes, version: "4.0.0", to: server)
        // Watched over the live stream as an operator would, subscribed before anything starts.
        let sse = try ChildProcess(
            executable: URL(fileURLWithPath: "/usr/bin/curl"),
            arguments: ["-sN", "-H", "Authorization: Bearer \(ServerProcess.token)",
                        "http://127.0.0.1:\(server.httpPort)/api/v1/stream?events=FIRMWARE,CAMPAIGN"],
            logURL: server.dataDir.appendingPathComponent("sse-brake.log"))
        defer { Task { await sse.stop(signal: SIGKILL) } }
        try await server.eventually(timeout: .seconds(10), "the live stream connected") { sse.log.contains(": connected") }
        // One device of twenty fails at once (not enough flash); any failure crosses a threshold of 0.
        let (sim, fwLog) = try simulator(
            server, prefix: "brake-", count: 20, ["--fw-fail", "no-flash", "--fw-fail-ratio", "0.05"])
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await waitOnline(server, 20, prefix: "brake-")
        // The failing device goes third, so that devices are still pending when the campaign pauses.
        let faulty = try #require(Self.faults(fwLog).first)
        var targets = (1...20).map { "brake-\($0)" }.filter { $0 != faulty }
        targets.insert(faulty, at: 2)
        let (status, data) = try await server.http("POST", "/api/v1/campaigns", body: Self.body([
            "firmwareId": firmware, "endpoints": targets, "maxConcurrent": 2, "failureThreshold": 0.0,
        ]))
        #expect(status == 201, "\(String(decoding: data, as: UTF8.self))")
        let id = try #require(Self.json(data)["id"] as? Int)
        try await server.eventually(timeout: .seconds(180), "campaign paused") {
            try await campaign(server, id)["status"] as? String == "paused"
        }
        let paused = try await campaign(server, id)
        #expect((paused["pauseReason"] as? String ?? "").contains("threshold"), "\(paused)")
        #expect((paused["counts"] as? [String: Int])?["failed"] == 1)
        // Paused: nothing new starts.
        let pending = (paused["counts"] as? [String: Int])?["pending"] ?? 0
        try await Task.sleep(for: .seconds(3))
        let still = try await campaign(server, id)
        #expect((still["counts"] as? [String: Int])?["pending"] == pending)
        #expect(try await server.http("POST", "/api/v1/campaigns/\(id)/pause").0 == 409)

        let (resumed, _) = try await server.http("POST", "/api/v1/campaigns/\(id)/resume")
        #expect(resumed == 200)
        try await server.eventually(timeout: .seconds(180), "campaign completed") {
            try await campaign(server, id)["status"] as? String == "completed"
        }
        let counts = try await campaign(server, id)["counts"] as? [String: Int] ?? [:]
        #expect(counts["succeeded"] == 19 && counts["failed"] == 1, "\(counts)")

        // The stream told the same story: the campaign ran, paused, ran again and completed with the final
        // counts, and every device's transitions came in order.
        try await server.eventually(timeout: .seconds(10), "the completed campaign on the stream") {
            Self.streamEvents(sse.log, "CAMPAIGN").contains { ($0["campaign"] as? [String: Any])?["status"] as? String == "completed" }
        }
        let campaigns = Self.streamEvents(sse.log, "CAMPAIGN").compactMap { $0["campaign"] as? [String: Any] }
        let statuses = campaigns.compactMap { $0["status"] as? String }
            .reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }
        #expect(statuses == ["running", "paused", "running", "completed"], "\(statuses)")
        #expect(campaigns.last?["counts"] as? [String: Int] == counts)
        let updates = Self.streamEvents(sse.log, "FIRMWARE").compactMap { $0["update"] as? [String: Any] }
        for endpoint in targets {
            let states = updates.filter { $0["endpoint"] as? String == endpoint }.compactMap { $0["state"] as? String }
            let expected = endpoint == faulty
                ? ["scheduled", "delivering", "failed"]
                : ["scheduled", "delivering", "downloaded", "updating", "verifying", "succeeded"]
            #expect(states == expected, "\(endpoint): \(states)")
        }
    }

    /// The JSON `data:` of each `event: NAME` in a server-sent event log.
    static func streamEvents(_ log: String, _ name: String) -> [[String: Any]] {
        var events: [[String: Any]] = []
        var current: String?
        for line in log.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("event: ") {
                current = String(line.dropFirst(7))
            } else if line.hasPrefix("data: "), current == name,
                      let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any]
            {
                events.append(object)
            }
        }
        return events
    }

    @Test func badRequestsGetProblems() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let firmware = try await Self.upload(Self.image(version: "1.2", size: 4096), version: "1.2", to: server)
        let unknownEndpoint = try await server.http(
            "POST", "/api/v1/endpoints/nobody/firmware-updates", body: Self.body(["firmwareId": firmware]))
        #expect(unknownEndpoint.0 == 404)
        let (sim, _) = try simulator(server, prefix: "bad-")
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await waitOnline(server, 1, prefix: "bad-")
        for (body, expected) in [
            (["firmwareId": 999], 422), (["firmwareId": firmware, "method": "carrier-pigeon"], 400),
            (["method": "auto"], 400), (["firmwareId": firmware, "extra": 1], 400),
        ] as [([String: Any], Int)] {
            let (status, data) = try await server.http(
                "POST", "/api/v1/endpoints/bad-1/firmware-updates", body: Self.body(body))
            #expect(status == expected, "\(body): \(String(decoding: data, as: UTF8.self))")
        }
        #expect(try await server.http("POST", "/api/v1/campaigns", body: Self.body(["firmwareId": firmware])).0 == 400)
        #expect(try await server.http("POST", "/api/v1/campaigns", body: Self.body([
            "firmwareId": firmware, "endpoints": ["ghost"]])).0 == 422)
        #expect(try await server.http("GET", "/api/v1/campaigns/77").0 == 404)
        #expect(try await server.http("GET", "/api/v1/firmware-updates/77").0 == 404)
        // An image a campaign uses stays.
        let (created, _) = try await server.http("POST", "/api/v1/campaigns", body: Self.body([
            "firmwareId": firmware, "endpoints": ["bad-1"]]))
        #expect(created == 201)
        #expect(try await server.http("DELETE", "/api/v1/firmware/\(firmware)").0 == 409)
    }
}
