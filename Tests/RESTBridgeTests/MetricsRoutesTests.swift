import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import ResourceModel
import Testing

@testable import RESTBridge

@Suite("Metrics route")
struct MetricsRoutesTests {
    func send(_ uri: String, headers: HTTPFields = authorized, registry: PrometheusCollectorRegistry?) async throws
        -> TestResponse
    {
        let app = buildApplication(
            configuration: RESTConfiguration(host: "127.0.0.1", port: 0, apiToken: testToken),
            stores: try AppDatabase.inMemory().stores, deviceManagement: FakeDeviceManagement(), metrics: registry,
            logger: quietLogger)
        return try await app.test(.router) { client in
            try await client.execute(uri: uri, method: .get, headers: headers)
        }
    }

    @Test("GET /metrics renders the registry in the Prometheus text format, behind the token")
    func rendersTheRegistry() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(name: "lwm2m_registration_events_total", labels: [("event", "registered")]).increment(by: Int64(3))
        registry.makeGauge(name: "lwm2m_registrations").set(Double(3))
        let response = try await send("/metrics", registry: registry)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
        let text = String(buffer: response.body)
        #expect(text.contains(#"lwm2m_registration_events_total{event="registered"} 3"#))
        #expect(text.contains("lwm2m_registrations 3"))
        let unauthorized = try await send("/metrics", headers: [:], registry: registry)
        #expect(unauthorized.status == .unauthorized)
    }

    @Test("without a registry /metrics is 503")
    func unavailable() async throws {
        #expect(try await send("/metrics", registry: nil).status == .serviceUnavailable)
    }

    @Test("every metric has a HELP line before its TYPE line, known ones their own text; process metrics follow")
    func helpLinesAndProcessMetrics() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeGauge(name: "lwm2m_registrations").set(Double(1))
        registry.makeCounter(name: "something_new_total").increment()
        let text = String(buffer: try await send("/metrics", registry: registry).body)
        let lines = text.split(separator: "\n")
        for (index, line) in lines.enumerated() where line.hasPrefix("# TYPE ") {
            let name = line.split(separator: " ")[2]
            #expect(index > 0 && lines[index - 1].hasPrefix("# HELP \(name) "), "no HELP for \(name)")
        }
        #expect(text.contains("# HELP lwm2m_registrations Registered endpoints now."))
        #expect(text.contains("# HELP something_new_total A metric of the lwm2m-server."))
        for name in ["process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds", "process_start_time_seconds"] {
            let value = lines.first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
            #expect((value ?? 0) > 0, "\(name)")
        }
    }

    @Test("MetricsExposition keeps an existing HELP line and adds none twice")
    func existingHelpIsKept() {
        let rendered = MetricsExposition.render("# HELP a_total Given.\n# TYPE a_total counter\na_total 1\n")
        #expect(rendered.hasPrefix("# HELP a_total Given.\n# TYPE a_total counter\na_total 1\n# HELP process_"))
    }
}
