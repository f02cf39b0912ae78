import Hummingbird

extension Problem {
    /// 503 when a route needs a component the server was built without (e.g. observations, live events).
    static func unavailable(_ what: String) -> Problem {
        Problem(
            type: typeBase + "unavailable", title: "Service unavailable", status: .serviceUnavailable,
            detail: "\(what) is not available on this server.")
    }

    /// 404 for an event rule name that does not exist.
    static func eventRuleNotFound(_ name: String) -> Problem {
        Problem(
            type: typeBase + "event-rule-not-found", title: "Event rule not found", status: .notFound,
            detail: "No event rule named '\(name)'.")
    }

    /// 404 for an observation profile name that does not exist.
    static func observationProfileNotFound(_ name: String) -> Problem {
        Problem(
            type: typeBase + "observation-profile-not-found", title: "Observation profile not found",
            status: .notFound, detail: "No observation profile named '\(name)'.")
    }

    /// 400 for a query the telemetry store cannot answer as asked (e.g. `avg` over strings).
    static func invalidTelemetryQuery(_ detail: String) -> Problem {
        Problem(
            type: typeBase + "invalid-telemetry-query", title: "Invalid telemetry query", status: .badRequest,
            detail: detail)
    }

    /// 426 for a plain HTTP request to the WebSocket route.
    static var upgradeRequired: Problem {
        Problem(
            type: typeBase + "upgrade-required", title: "Upgrade required", status: .upgradeRequired,
            detail: "This route speaks WebSocket: send 'Connection: Upgrade' and 'Upgrade: websocket'.",
            headers: [.upgrade: "websocket"])
    }
}
