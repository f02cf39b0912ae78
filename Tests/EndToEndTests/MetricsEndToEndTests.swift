import Foundation
import Testing

/// `/metrics` of the real server counts what really happened: registrations, device requests, stored values.
@Suite(.serialized)
struct MetricsEndToEndTests {
    @Test func metricsCountRegistrationsRequestsAndValues() async throws {
        let server = ServerProcess(mode: .process)  // metrics are process-wide (MetricsSystem.bootstrap)
        try await server.start()
        defer { Task { await server.stop() } }
        #expect(try await server.http("POST", "/api/v1/observation-profiles", body: Data(#"""
            {"name":"temperature","paths":["/3303/0/5700"],"attributes":{"pmin":0}}
            """#.utf8)).0 == 201)
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", server.coapURL, "--count", "3", "--prefix", "met-", "--notify-interval", "0.5"],
            logURL: server.dataDir.appendingPathComponent("sim.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await server.eventually(timeout: .seconds(20), "3 endpoints online") {
            try await server.endpoints().filter { $0["online"] as? Bool == true }.count == 3
        }
        #expect(try await server.http("GET", "/api/v1/endpoints/met-1/resources/3/0/0").0 == 200)
        #expect(try await server.http("GET", "/api/v1/endpoints/met-1/resources/3/0/12345").0 == 404)

        func metrics() async throws -> String {
            let (status, data) = try await server.http("GET", "/metrics")
            guard status == 200 else { throw E2EError("GET /metrics answered \(status)") }
            return String(decoding: data, as: UTF8.self)
        }
        func value(_ text: String, _ series: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
        }
        try await server.eventually(timeout: .seconds(10), "values stored and counted") {
            (value(try await metrics(), "lwm2m_values_stored_total") ?? 0) >= 3
        }
        let text = try await metrics()
        #expect(value(text, #"lwm2m_registration_events_total{event="registered"}"#) == 3)
        #expect(value(text, "lwm2m_registrations") == 3)
        #expect(value(text, #"lwm2m_device_requests_total{operation="read",outcome="success"}"#) == 1)
        #expect(value(text, #"lwm2m_device_requests_total{operation="read",outcome="device_error"}"#) == 1)
        // Every stored value came from an accepted notification; the counters agree with the database.
        let (_, stored) = try await server.http("GET", "/api/v1/endpoints/met-1/telemetry?path=/3303/0/5700&limit=1000")
        let page = try JSONSerialization.jsonObject(with: stored) as? [String: Any]
        #expect(((page?["values"] as? [Any])?.count ?? 0) >= 1)
        #expect((value(text, #"lwm2m_reports_total{kind="notification",outcome="accepted"}"#) ?? 0) >= 3)
        #expect(try await server.http("GET", "/metrics", token: nil).0 == 401)
    }
}
