import Metrics

/// The LwM2M server's metrics, through the swift-metrics facade: a no-op until the process bootstraps a
/// backend (the server executable exports them as Prometheus text at `/metrics`).
///
/// - `lwm2m_registration_events_total{event="registered|updated|deregistered|expired"}`
/// - `lwm2m_registrations`: registrations held now
/// - `lwm2m_device_requests_total{operation,outcome}` and `lwm2m_device_request_duration_seconds{operation}`:
///   device-management requests the server sent, by outcome (`success`, or the `DeviceRequestError.Kind`)
/// - `lwm2m_reports_total{kind="notification|send",outcome="accepted|rejected"}`: reports handed to the ingest
enum ServerMetrics {
    /// A request refused for a limit (`lwm2m_limit_refusals_total{limit}`): `coap-payload`, `endpoints`,
    /// `register-rate`.
    static func limitRefusal(_ limit: String) {
        Counter(label: "lwm2m_limit_refusals_total", dimensions: [("limit", limit)]).increment()
    }

    static func registrationEvent(_ event: RegistrationEvent, registrations: Int) {
        let name = switch event {
        case .registered: "registered"
        case .updated: "updated"
        case .deregistered: "deregistered"
        case .expired: "expired"
        }
        Counter(label: "lwm2m_registration_events_total", dimensions: [("event", name)]).increment()
        Gauge(label: "lwm2m_registrations").record(registrations)
    }

    static func deviceRequest(_ request: DeviceRequest, outcome: String, duration: Duration) {
        deviceRequest(operation: request.metricName, outcome: outcome, duration: duration)
    }

    /// One device request of kind `operation` (`lwm2m_device_requests_total`, `..._duration_seconds`).
    private static func deviceRequest(operation: String, outcome: String, duration: Duration) {
        Counter(label: "lwm2m_device_requests_total", dimensions: [("operation", operation), ("outcome", outcome)])
            .increment()
        let (seconds, attoseconds) = duration.components
        Timer(label: "lwm2m_device_request_duration_seconds", dimensions: [("operation", operation)])
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// One block of a block-wise Write (push delivery): counted with the other device requests as
    /// `block-write`, its bytes in `lwm2m_block_write_bytes_total`.
    static func blockWritten(outcome: String, bytes: Int, duration: Duration) {
        deviceRequest(operation: "block-write", outcome: outcome, duration: duration)
        if bytes > 0 { Counter(label: "lwm2m_block_write_bytes_total").increment(by: bytes) }
    }

    /// Reports come at the telemetry rate: their four counters are made once (after the backend is bootstrapped,
    /// which the server does before any device can report).
    private static let reportCounters: [String: Counter] = {
        var counters: [String: Counter] = [:]
        for kind in ["notification", "send"] {
            for outcome in ["accepted", "rejected"] {
                counters[kind + outcome] = Counter(
                    label: "lwm2m_reports_total", dimensions: [("kind", kind), ("outcome", outcome)])
            }
        }
        return counters
    }()

    /// A notification answered with a Reset although its token named an observation (`reason`: `sender`).
    static func notificationRefused(reason: String) {
        Counter(label: "lwm2m_notifications_refused_total", dimensions: [("reason", reason)]).increment()
    }

    /// Observations marked stale (`reason`: `silent` or `unanswered`).
    static func observationStale(reason: String, count: Int = 1) {
        Counter(label: "lwm2m_observations_stale_total", dimensions: [("reason", reason)]).increment(by: Int64(count))
    }

    /// A stale observation made again.
    static func observationRenewed() {
        Counter(label: "lwm2m_observations_renewed_total").increment()
    }

    static func report(_ kind: DeviceReport.Kind, accepted: Bool) {
        let kind = switch kind {
        case .notification: "notification"
        case .send: "send"
        }
        reportCounters[kind + (accepted ? "accepted" : "rejected")]?.increment()
    }
}

extension DeviceRequest {
    /// The operation's name in metrics.
    var metricName: String {
        switch self {
        case .read: "read"
        case .discover: "discover"
        case .write(_, _, mode: .replace): "write"
        case .write(_, _, mode: .update): "partial-write"
        case .writeAttributes: "write-attributes"
        case .execute: "execute"
        case .create: "create"
        case .delete: "delete"
        case .readComposite: "composite-read"
        case .writeComposite: "composite-write"
        }
    }
}

extension DeviceRequestError.Kind {
    /// The outcome's name in metrics.
    var metricName: String {
        switch self {
        case .unknownEndpoint: "unknown_endpoint"
        case .offline: "offline"
        case .invalidRequest: "invalid_request"
        case .deviceError: "device_error"
        case .timeout: "timeout"
        case .invalidResponse: "invalid_response"
        case .unreachable: "unreachable"
        case .limitExceeded: "limit_exceeded"
        }
    }
}
