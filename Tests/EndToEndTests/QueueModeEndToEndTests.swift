import Foundation
import Testing

/// The operation queue against real sleeping devices: `lwm2m-sim --queue-mode` devices that hear the server only
/// within their awake window, the real server with its SQLite file, operations queued and watched over REST and
/// the live stream, and the simulator's own log of what each device handled.
@Suite(.serialized)
struct QueueModeEndToEndTests {
    static let window = 2.0

    func json(_ data: Data) throws -> Any { try JSONSerialization.jsonObject(with: data) }

    /// `POST` a JSON body; returns status and the decoded answer.
    func post(_ server: ServerProcess, _ path: String, _ body: [String: Any]) async throws -> (Int, [String: Any]) {
        let (status, data) = try await server.http("POST", path, body: try JSONSerialization.data(withJSONObject: body))
        return (status, (try? json(data) as? [String: Any]) ?? [:])
    }

    /// Every operation, following the pages.
    func operations(_ server: ServerProcess, query: String = "") async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        var before: Int?
        repeat {
            var path = "/api/v1/operations?limit=500" + query
            if let before { path += "&before=\(before)" }
            let (status, data) = try await server.http("GET", path)
            guard status == 200 else { throw E2EError("GET operations answered \(status)") }
            let page = try #require(try json(data) as? [String: Any])
            all += page["operations"] as? [[String: Any]] ?? []
            before = page["nextBefore"] as? Int
        } while before != nil
        return all
    }

    func operation(_ server: ServerProcess, _ id: Int) async throws -> [String: Any] {
        let (status, data) = try await server.http("GET", "/api/v1/operations/\(id)")
        guard status == 200 else { throw E2EError("GET operation \(id) answered \(status)") }
        return try #require(try json(data) as? [String: Any])
    }

    /// The simulator's request log: one object per request a device handled (or dropped while asleep).
    func requestLog(_ url: URL) -> [[String: Any]] {
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? json(Data($0.utf8)) as? [String: Any] }
    }

    func presence(_ server: ServerProcess, _ name: String) async throws -> String? {
        try await server.endpoint(name)?["presence"] as? String
    }

    @Test func fiftySleepingDevicesGetEveryOperationOnTheirNextWakeUpInPriorityOrder() async throws {
        let server = ServerProcess()
        try await server.start(extraArguments: ["--awake-window", "\(Self.window)"])
        defer { Task { await server.stop() } }
        let sse = try ChildProcess(
            executable: URL(fileURLWithPath: "/usr/bin/curl"),
            arguments: ["-sN", "-H", "Authorization: Bearer \(ServerProcess.token)",
                        "http://127.0.0.1:\(server.httpPort)/api/v1/stream?events=OPERATION,AWAKE,SLEEPING"],
            logURL: server.dataDir.appendingPathComponent("sse.log"))
        defer { Task { await sse.stop(signal: SIGKILL) } }
        // Subscribed before the first device registers, or its first AWAKE is missed (a race seen on a 2-core CI).
        try await server.eventually(timeout: .seconds(10), "the live stream connected") { sse.log.contains(": connected") }

        // Updates every 20 s (half the lifetime); each opens a 2 s window. The margin is counted from the first
        // device's registration, not the last one's: on a loaded 2-core CI the 50 registrations, the look for
        // "all asleep" and the 300 REST calls below took more than the 10 s a 24 s lifetime left.
        let logURL = server.dataDir.appendingPathComponent("requests.jsonl")
        let names = (1...50).map { "qm-\($0)" }
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", server.coapURL, "--count", "50", "--prefix", "qm-", "--lifetime", "40",
                        "--queue-mode", "--awake-window", "\(Self.window)", "--request-log", logURL.path],
            logURL: server.dataDir.appendingPathComponent("sim.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }

        try await server.eventually(timeout: .seconds(30), "50 queue-mode registrations") {
            let endpoints = try await server.endpoints().filter { ($0["endpoint"] as? String)?.hasPrefix("qm-") == true }
            return endpoints.count == 50 && endpoints.allSatisfy { $0["queueMode"] as? Bool == true }
        }
        try await server.eventually(timeout: .seconds(10), "every device asleep") {
            let asleep = try await server.endpoints().filter {
                ($0["endpoint"] as? String)?.hasPrefix("qm-") == true && $0["presence"] as? String == "sleeping"
            }
            return asleep.count == 50
        }
        let asleepAt = ContinuousClock.now

        // Queued while they sleep: one that is cancelled (first, so the DELETEs are not the last thing done before
        // the devices wake), then three operations each in an order their priorities reverse, and one that
        // expires before the next wake-up.
        let cancelled = try await post(server, "/api/v1/operations", [
            "endpointPattern": "qm-*", "kind": "read", "path": "/3/0/2", "priority": 50])
        for id in cancelled.1["ids"] as? [Int] ?? [] {
            let (status, _) = try await server.http("DELETE", "/api/v1/operations/\(id)")
            #expect(status == 200)
        }
        let write = try await post(server, "/api/v1/operations", [
            "endpointPattern": "qm-*", "kind": "write", "path": "/3/0/14", "value": "+02:00", "priority": 1])
        let execute = try await post(server, "/api/v1/operations", [
            "endpointPattern": "qm-*", "kind": "execute", "path": "/3/0/4", "priority": 10])
        let read = try await post(server, "/api/v1/operations", [
            "endpoints": names, "kind": "read", "path": "/3/0/0", "priority": 5])
        let expiring = try await post(server, "/api/v1/operations", [
            "endpointPattern": "qm-*", "kind": "read", "path": "/3/0/1", "priority": 100, "expiresIn": 0.5])
        for answer in [write, execute, read, expiring, cancelled] {
            #expect(answer.0 == 201)
            #expect(answer.1["count"] as? Int == 50)
        }
        // Nothing reached a sleeping device. (If this fails, look at the time queueing took first: the devices
        // wake 18 s after the first one fell asleep.)
        #expect(requestLog(logURL).isEmpty, "queueing took \(ContinuousClock.now - asleepAt)")

        try await server.eventually(timeout: .seconds(45), "150 operations succeeded") {
            try await operations(server, query: "&status=succeeded").count == 150
        }
        let all = try await operations(server)
        #expect(all.filter { $0["status"] as? String == "expired" }.count == 50)
        #expect(all.filter { $0["status"] as? String == "cancelled" }.count == 50)
        #expect(all.filter { $0["status"] as? String == "succeeded" }.allSatisfy { $0["attempts"] as? Int == 1 })

        // What the devices handled: per device exactly execute, read, write, in that order, within one window;
        // never the expired or cancelled read; nothing dropped.
        let log = requestLog(logURL)
        #expect(!log.contains { $0["dropped"] as? Bool == true })
        #expect(!log.contains { ["/3/0/1", "/3/0/2"].contains($0["path"] as? String ?? "") })
        for name in names {
            let handled = log.filter { $0["endpoint"] as? String == name }
            #expect(handled.map { $0["path"] as? String } == ["/3/0/4", "/3/0/0", "/3/0/14"], "\(name)")
            let times = handled.compactMap { $0["time"] as? Double }
            if let first = times.min(), let last = times.max() {
                #expect(last - first < Self.window, "\(name): spread \(last - first) s")
            }
        }

        // One operation over REST, with its history and result.
        let readID = try #require((read.1["ids"] as? [Int])?.first)
        let detail = try await operation(server, readID)
        #expect(detail["status"] as? String == "succeeded")
        #expect((detail["history"] as? [[String: Any]])?.map { $0["to"] as? String } == ["queued", "sending", "succeeded"])
        let result = try #require(detail["result"] as? [String: Any])
        #expect(result["code"] as? String == "2.05")
        #expect(result["content"] is [String: Any])

        // And on the live stream: every success, and the devices waking and falling asleep.
        try await server.eventually(timeout: .seconds(20), "the devices fall asleep again") {
            sse.log.components(separatedBy: "event: SLEEPING").count - 1 >= 100
        }
        let stream = sse.log
        let succeededEvents = stream.split(separator: "\n").filter { $0.hasPrefix("data:") && $0.contains("\"event\":\"OPERATION\"") && $0.contains("\"status\":\"succeeded\"") }
        #expect(succeededEvents.count == 150)
        #expect(stream.components(separatedBy: "event: AWAKE").count - 1 >= 100)

        // A synchronous Read of a sleeping device is queued (202) and answered on its next wake-up.
        #expect(try await presence(server, "qm-1") == "sleeping")
        let (status, data) = try await server.http("GET", "/api/v1/endpoints/qm-1/resources/3/0/9")
        #expect(status == 202)
        let queuedRead = try #require((try json(data) as? [String: Any])?["id"] as? Int)
        try await server.eventually(timeout: .seconds(40), "the queued read answered") {
            try await operation(server, queuedRead)["status"] as? String == "succeeded"
        }
        let content = try await operation(server, queuedRead)["result"] as? [String: Any]
        #expect((content?["content"] as? [String: Any])?["value"] is NSNumber)
        #expect(await sim.stop(signal: SIGINT) == 0)
    }

    @Test func aServerKilledWhileSendingFinishesEveryOperationWithoutASecondExecute() async throws {
        let server = ServerProcess(mode: .process)  // killed with SIGKILL below
        let arguments = ["--awake-window", "5"]
        try await server.start(extraArguments: arguments)
        defer { Task { await server.stop() } }
        let logURL = server.dataDir.appendingPathComponent("requests.jsonl")
        let names = (1...10).map { "kill-\($0)" }
        // Each answer is held 3 s, so operations sit in `sending`; updates every 6 s open a 5 s window.
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", server.coapURL, "--count", "10", "--prefix", "kill-", "--lifetime", "12",
                        "--queue-mode", "--awake-window", "5", "--response-delay-ms", "3000",
                        "--request-log", logURL.path],
            logURL: server.dataDir.appendingPathComponent("sim.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await server.eventually(timeout: .seconds(30), "10 registrations") {
            try await server.endpoints().filter { ($0["endpoint"] as? String)?.hasPrefix("kill-") == true }.count == 10
        }

        var ids: [String: [Int]] = [:]
        for (kind, path, priority) in [("execute", "/3/0/4", 10), ("write", "/3/0/14", 5), ("read", "/3/0/0", 1)] {
            var body: [String: Any] = ["endpointPattern": "kill-*", "kind": kind, "path": path, "priority": priority]
            if kind == "write" { body["value"] = "+01:00" }
            let (status, answer) = try await post(server, "/api/v1/operations", body)
            #expect(status == 201)
            ids[kind] = answer["ids"] as? [Int] ?? []
        }
        // The executes go out (the devices are awake after registering, or at their next update) and wait for
        // their held answers: kill the server then.
        try await server.eventually(timeout: .seconds(20), "every execute in flight") {
            try await operations(server, query: "&status=sending").count == 10
        }
        await server.stop(signal: SIGKILL)
        try await Task.sleep(for: .milliseconds(500))
        try await server.start(extraArguments: arguments)

        try await server.eventually(timeout: .seconds(60), "every operation final") {
            let all = try await operations(server)
            return all.count == 30 && all.allSatisfy {
                ["succeeded", "failed", "expired", "cancelled"].contains($0["status"] as? String ?? "")
            }
        }
        for id in ids["execute"] ?? [] {
            let detail = try await operation(server, id)
            #expect(detail["status"] as? String == "failed")
            let notes = (detail["history"] as? [[String: Any]] ?? []).compactMap { $0["note"] as? String }
            #expect(notes.contains { $0.contains("at-most-once") }, "\(notes)")
        }
        for id in (ids["write"] ?? []) + (ids["read"] ?? []) {
            #expect(try await operation(server, id)["status"] as? String == "succeeded")
        }
        // Each device executed Reboot exactly once (the request reached it before the kill), never twice.
        let log = requestLog(logURL)
        for name in names {
            let executes = log.filter {
                $0["endpoint"] as? String == name && $0["path"] as? String == "/3/0/4" && $0["dropped"] as? Bool != true
            }
            #expect(executes.count == 1, "\(name) executed \(executes.count) times")
        }
        #expect(server.log.contains("recovered an operation left in flight"))
    }
}
