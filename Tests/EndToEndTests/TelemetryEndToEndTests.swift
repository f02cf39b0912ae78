import Foundation
import Testing

/// Observation profiles, notifications and Sends from `lwm2m-sim`, stored and queried over REST, live over
/// SSE and WebSocket, and compared with what the simulator says it reported.
@Suite(.serialized)
struct TelemetryEndToEndTests {
    struct Reported: Hashable {
        var endpoint: String
        var path: String
        var value: Double
    }

    func json(_ data: Data) throws -> Any { try JSONSerialization.jsonObject(with: data) }

    func post(_ server: ServerProcess, _ path: String, _ body: Any) async throws -> Int {
        try await server.http("POST", path, body: try JSONSerialization.data(withJSONObject: body)).0
    }

    /// The simulator's report log: one JSON object per reported value.
    func reportLog(_ url: URL) throws -> [[String: Any]] {
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Every stored value of one series, oldest first, following the cursor.
    func series(_ server: ServerProcess, _ endpoint: String, _ path: String) async throws -> [(String, Double)] {
        var values: [(String, Double)] = []
        var cursor: String?
        repeat {
            var query = "/api/v1/endpoints/\(endpoint)/telemetry?path=\(path)&order=asc&limit=50"
            if let cursor { query += "&cursor=\(cursor)" }
            let (status, data) = try await server.http("GET", query)
            guard status == 200 else { throw E2EError("telemetry \(status): \(String(decoding: data, as: UTF8.self))") }
            let page = try #require(try json(data) as? [String: Any])
            for item in page["values"] as? [[String: Any]] ?? [] {
                values.append((item["timestamp"] as? String ?? "", (item["value"] as? NSNumber)?.doubleValue ?? .nan))
            }
            cursor = page["nextCursor"] as? String
        } while cursor != nil
        return values
    }

    func setUpProfileAndRule(_ server: ServerProcess, prefix: String) async throws {
        #expect(try await post(server, "/api/v1/observation-profiles", [
            "name": "environment", "objectId": 3303, "endpointPattern": "\(prefix)*",
            "paths": ["/3303/0/5700", "/3/0/9"], "attributes": ["pmin": 0, "pmax": 1],
        ]) == 201)
        #expect(try await post(server, "/api/v1/event-rules", [
            "name": "environment", "resourceTypes": ["3303/5700", "3304/5700"],
        ]) == 201)
    }

    @Test func storedValuesAreExactlyWhatTheSimulatorReported() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        try await setUpProfileAndRule(server, prefix: "tm-")

        // Live clients first, so they see everything.
        let sse = try ChildProcess(
            executable: URL(fileURLWithPath: "/usr/bin/curl"),
            arguments: ["-sN", "-H", "Authorization: Bearer \(ServerProcess.token)", "http://127.0.0.1:\(server.httpPort)/api/v1/stream"],
            logURL: server.dataDir.appendingPathComponent("sse.log"))
        defer { Task { await sse.stop(signal: SIGKILL) } }
        try await server.eventually(timeout: .seconds(10), "the live stream connected") { sse.log.contains(": connected") }
        let port = server.httpPort
        let ws = try await onOwnThread {
            try WebSocketProbe(port: port, path: "/api/v1/ws?endpoint=tm-1", token: ServerProcess.token)
        }
        let wsMessages = Task {
            try await onOwnThread { () -> [String] in
                var messages: [String] = []
                while messages.count < 5, let text = ws.nextText() { messages.append(text) }
                return messages
            }
        }

        let logURL = server.dataDir.appendingPathComponent("reported.jsonl")
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", server.coapURL, "--count", "3", "--prefix", "tm-", "--lifetime", "60",
                        "--send", "1", "--report-log", logURL.path],
            logURL: server.dataDir.appendingPathComponent("sim.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }

        try await server.eventually(timeout: .seconds(30), "notifications and sends stored for every device") {
            for name in ["tm-1", "tm-2", "tm-3"] {
                guard try await series(server, name, "/3303/0/5700").count >= 6 else { return false }
            }
            return true
        }
        #expect(await sim.stop(signal: SIGINT) == 0)
        // Let the ingest drain, then compare: stored values are exactly the reported ones.
        var previous = -1
        try await server.eventually("ingest drained") {
            let count = try await series(server, "tm-1", "/3303/0/5700").count
            defer { previous = count }
            return count == previous
        }
        let log = try reportLog(logURL)
        #expect(!log.isEmpty)
        for name in ["tm-1", "tm-2", "tm-3"] {
            for path in ["/3303/0/5700", "/3304/0/5700", "/3/0/9"] {
                let reported = log.filter { $0["endpoint"] as? String == name && $0["path"] as? String == path }
                    .compactMap { ($0["value"] as? NSNumber)?.doubleValue }
                let stored = try await series(server, name, path).map(\.1)
                #expect(stored.sorted() == reported.sorted(), "\(name) \(path): stored \(stored.count), reported \(reported.count)")
                #expect(!stored.isEmpty, "\(name) \(path)")
            }
            // Send values keep the device's measurement time.
            let sentTimes = Set(log.filter { $0["endpoint"] as? String == name && $0["kind"] as? String == "send" && $0["path"] as? String == "/3304/0/5700" }
                .compactMap { $0["time"] as? String })
            let storedTimes = Set(try await series(server, name, "/3304/0/5700").map(\.0))
            #expect(!sentTimes.isEmpty && sentTimes.isSubset(of: storedTimes), "\(name): \(sentTimes.subtracting(storedTimes))")
        }

        // Latest, buckets, CSV and events agree with the series.
        let all = try await series(server, "tm-1", "/3303/0/5700")
        let (_, latestData) = try await server.http("GET", "/api/v1/endpoints/tm-1/latest")
        let latest = try #require(try json(latestData) as? [[String: Any]])
        let newest = try #require(all.max { $0.0 < $1.0 })
        #expect((latest.first { $0["path"] as? String == "/3303/0/5700" }?["value"] as? NSNumber)?.doubleValue == newest.1)
        let (_, bucketData) = try await server.http("GET", "/api/v1/endpoints/tm-1/telemetry?path=/3303/0/5700&bucket=1h&agg=count")
        let buckets = try #require((try json(bucketData) as? [String: Any])?["buckets"] as? [[String: Any]])
        #expect(buckets.compactMap { ($0["count"] as? NSNumber)?.intValue }.reduce(0, +) == all.count)
        let (_, maxData) = try await server.http("GET", "/api/v1/endpoints/tm-1/telemetry?path=/3303/0/5700&bucket=1h&agg=max")
        let maxima = try #require((try json(maxData) as? [String: Any])?["buckets"] as? [[String: Any]])
        #expect(maxima.compactMap { ($0["value"] as? NSNumber)?.doubleValue }.max() == all.map(\.1).max())
        let (csvStatus, csv) = try await server.http("GET", "/api/v1/endpoints/tm-1/telemetry?path=/3303/0/5700&format=csv&limit=10000")
        #expect(csvStatus == 200)
        let lines = String(decoding: csv, as: UTF8.self).split(whereSeparator: \.isNewline)
        #expect(lines.first == "timestamp,value")
        #expect(lines.count == all.count + 1)
        let (_, eventData) = try await server.http("GET", "/api/v1/events?type=environment&endpoint=tm-1&limit=1000")
        let events = try #require(try json(eventData) as? [[String: Any]])
        let sends = Set(log.filter { $0["endpoint"] as? String == "tm-1" && $0["kind"] as? String == "send" }.compactMap { $0["time"] as? String })
        let withBoth = events.filter { (($0["values"] as? [[String: Any]]) ?? []).count == 2 }
        #expect(withBoth.count == sends.count, "one two-value event per Send")

        // Live clients saw the traffic.
        let messages = try await wsMessages.value
        #expect(messages.count == 5)
        #expect(messages.allSatisfy { $0.contains("\"tm-1\"") })
        let sseText = sse.log
        #expect(sseText.contains("event: REGISTRATION"))
        #expect(sseText.contains("event: NOTIFICATION"))
        #expect(sseText.contains("event: SEND"))
        #expect(sseText.contains("event: EVENT"))
    }

    @Test func aRestartLosesNothingAndObservationsContinue() async throws {
        let server = ServerProcess()
        try await server.start()
        try await setUpProfileAndRule(server, prefix: "rt-")
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            // Confirmable notifications: one sent while the server is down meets the closed port (ICMP), which
            // must not make the device drop the observation.
            arguments: ["--server", server.coapURL, "--count", "10", "--prefix", "rt-", "--lifetime", "120",
                        "--confirmable-notifications"],
            logURL: server.dataDir.appendingPathComponent("sim.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await server.eventually(timeout: .seconds(30), "notifications flowing") {
            let first = try await series(server, "rt-1", "/3303/0/5700").count
            let second = try await series(server, "rt-2", "/3303/0/5700").count
            return first >= 3 && second >= 3
        }
        let registration = try await server.endpoint("rt-1")?["registrationId"] as? String
        #expect(await server.stop() == 0)
        try await Task.sleep(for: .seconds(2))  // devices keep notifying into the closed port meanwhile
        try await server.start()
        let before = ["rt-1": try await series(server, "rt-1", "/3303/0/5700").map(\.1),
                      "rt-2": try await series(server, "rt-2", "/3303/0/5700").map(\.1)]
        defer { Task { await server.stop() } }
        #expect(server.log.contains("restored observations"))
        // The same observations (no re-registration) deliver new values to the new process, for every device.
        let counts = try await (1...10).asyncMap { try await series(server, "rt-\($0)", "/3303/0/5700").count }
        try await server.eventually(timeout: .seconds(15), "notifications continue after the restart, every device") {
            for device in 1...10 where try await series(server, "rt-\(device)", "/3303/0/5700").count < counts[device - 1] + 3 {
                return false
            }
            return true
        }
        #expect(try await server.endpoint("rt-1")?["registrationId"] as? String == registration)
        for name in ["rt-1", "rt-2"] {
            let after = try await series(server, name, "/3303/0/5700").map(\.1)
            #expect(Array(after.prefix(before[name]?.count ?? 0)) == before[name] ?? [], "\(name): stored values changed")
        }
        let (status, data) = try await server.http("GET", "/api/v1/endpoints/rt-1/observations")
        #expect(status == 200)
        #expect((try json(data) as? [[String: Any]])?.count == 2, "\(String(decoding: data, as: UTF8.self))")
    }

    @Test func observationsAreReestablishedWhenADeviceRebootsAndRegistersAgain() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let arguments = ["--server", server.coapURL, "--count", "1", "--prefix", "rb-", "--lifetime", "120"]
        let firstSim = try ChildProcess(executable: Binaries.url("lwm2m-sim"), arguments: arguments,
                                        logURL: server.dataDir.appendingPathComponent("sim-1.log"))
        try await server.eventually("registered") { try await server.endpoint("rb-1")?["online"] as? Bool == true }
        // An operator's observation, no profile involved.
        #expect(try await post(server, "/api/v1/endpoints/rb-1/observations", [
            "paths": ["/3304/0/5700"], "attributes": ["pmin": 0, "pmax": 1],
        ]) == 201)
        try await server.eventually("values arrive") { try await series(server, "rb-1", "/3304/0/5700").count >= 2 }
        let firstRegistration = try await server.endpoint("rb-1")?["registrationId"] as? String

        // The device "reboots": killed without de-registering, then registers anew; its old token is dead.
        await firstSim.stop(signal: SIGKILL)
        let sim = try ChildProcess(executable: Binaries.url("lwm2m-sim"), arguments: arguments,
                                   logURL: server.dataDir.appendingPathComponent("sim-2.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await server.eventually("registered again") {
            let id = try await server.endpoint("rb-1")?["registrationId"] as? String
            return id != nil && id != firstRegistration
        }
        let count = try await series(server, "rb-1", "/3304/0/5700").count
        try await server.eventually(timeout: .seconds(15), "values arrive through the re-established observation") {
            try await series(server, "rb-1", "/3304/0/5700").count >= count + 2
        }
        let (_, data) = try await server.http("GET", "/api/v1/endpoints/rb-1/observations")
        let observations = try #require(try json(data) as? [[String: Any]])
        #expect(observations.count == 1)
        #expect(observations.first?["paths"] as? [String] == ["/3304/0/5700"])
        #expect(observations.first?["registrationId"] as? String != firstRegistration)
    }

    @Test func badTelemetryQueriesAreProblems() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        _ = try await CoAPClientTool.register(server, query: "ep=q-1&lt=60")
        try await server.eventually("registered") { try await server.endpoint("q-1") != nil }
        for query in ["path=/3303/0", "path=abc", "path=/3303/0/5700&from=yesterday", "path=/3303/0/5700&limit=0",
                      "path=/3303/0/5700&bucket=7x", "path=/3303/0/5700&order=sideways", "path=/3303/0/5700&from=2000&to=1000"] {
            let (status, data) = try await server.http("GET", "/api/v1/endpoints/q-1/telemetry?\(query)")
            #expect(status == 400, "\(query): \(String(decoding: data, as: UTF8.self))")
        }
        #expect(try await server.http("GET", "/api/v1/endpoints/nobody/telemetry?path=/3303/0/5700").0 == 404)
    }
}

extension ClosedRange where Bound == Int {
    /// Maps sequentially with an async transform.
    func asyncMap<T>(_ transform: (Int) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for value in self { out.append(try await transform(value)) }
        return out
    }
}
