import Foundation
import Testing

/// A device that stops notifying shows up as a stale observation over REST, and is active again once it talks.
@Suite(.serialized)
struct StaleObservationEndToEndTests {
    func json(_ data: Data) throws -> Any { try JSONSerialization.jsonObject(with: data) }

    func observation(_ server: ServerProcess, _ endpoint: String) async throws -> [String: Any]? {
        let (status, data) = try await server.http("GET", "/api/v1/endpoints/\(endpoint)/observations")
        guard status == 200 else { throw E2EError("observations \(status): \(String(decoding: data, as: UTF8.self))") }
        return (try json(data) as? [[String: Any]])?.first
    }

    @Test func aDeviceThatStopsNotifyingIsListedStaleUntilItTalksAgain() async throws {
        let server = ServerProcess(mode: .process)  // checks /metrics: process-wide counters
        try await server.start(extraArguments: ["--stale-after-pmax", "2"])
        defer { Task { await server.stop() } }
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", server.coapURL, "--count", "1", "--prefix", "quiet-", "--lifetime", "30"],
            logURL: server.dataDir.appendingPathComponent("sim.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await server.eventually(timeout: .seconds(30), "registered") {
            try await server.endpoint("quiet-1")?["online"] as? Bool == true
        }
        let body = try JSONSerialization.data(withJSONObject: [
            "paths": ["/3303/0/5700"], "attributes": ["pmin": 0, "pmax": 1],
        ])
        #expect(try await server.http("POST", "/api/v1/endpoints/quiet-1/observations", body: body).0 == 201)
        try await server.eventually("notifications arrive") {
            try await observation(server, "quiet-1")?["lastNotificationAt"] as? String != nil
        }
        #expect(try await observation(server, "quiet-1")?["status"] as? String == "active")

        // The device goes quiet (as one that marked the server unreachable): stale after 2 × pmax.
        kill(sim.process.processIdentifier, SIGSTOP)
        try await server.eventually(timeout: .seconds(10), "listed stale") {
            try await observation(server, "quiet-1")?["status"] as? String == "stale"
        }
        let stale = try #require(try await observation(server, "quiet-1"))
        #expect(stale["staleSince"] as? String != nil)
        #expect((stale["staleReason"] as? String)?.contains("2 × pmax") == true, "\(stale)")
        #expect(stale["lastNotificationAt"] as? String != nil)
        #expect(server.log.contains("observation stale: no notification for several pmax"))
        let (_, metrics) = try await server.http("GET", "/metrics")
        #expect(String(decoding: metrics, as: UTF8.self).contains("lwm2m_observations_stale_total{reason=\"silent\"} 1"))

        // It talks again (notifications, and its Update): active, and values are stored again.
        kill(sim.process.processIdentifier, SIGCONT)
        try await server.eventually(timeout: .seconds(20), "active again") {
            let now = try await observation(server, "quiet-1")
            return now?["status"] as? String == "active" && now?["lastNotificationAt"] as? String != stale["lastNotificationAt"] as? String
        }
    }
}
