import Foundation
import Hummingbird
import ResourceModel

/// `GET /api/v1/events` (stored events with their values) and the event rules:
/// `GET/POST /api/v1/event-rules`, `DELETE /api/v1/event-rules/{name}`.
struct EventController {
    /// One event: `{"id","type","endpoint","timestamp","values":[...]}`.
    struct EventResponse: ResponseEncodable, Equatable {
        /// The event id.
        var id: Int64
        /// The event type (rule name).
        var type: String
        /// The endpoint name.
        var endpoint: String
        /// The event's instant.
        var timestamp: Date
        /// The values it carried, sorted by path.
        var values: [TimedValueDTO]
    }

    /// One rule: `{"name":"environment","resourceTypes":["3303/5700","3304/5700"]}`.
    struct RuleResponse: ResponseEncodable, Equatable {
        /// The rule name.
        var name: String
        /// The resource types, sorted.
        var resourceTypes: [String]

        /// The JSON form of `rule`.
        init(_ rule: EventRule) {
            name = rule.name
            resourceTypes = rule.resourceTypes.map(\.description)
        }
    }

    /// Where events and rules are stored.
    let store: any EventStore

    /// Registers the routes (and 405 answers for the other methods) on `router`.
    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        router.get("/api/v1/events", use: events)
        router.get("/api/v1/event-rules", use: rules)
        router.post("/api/v1/event-rules", use: saveRule)
        router.delete("/api/v1/event-rules/{name}", use: deleteRule)
        router.rejectOtherMethods("/api/v1/events", allowed: [.get, .head])
        router.rejectOtherMethods("/api/v1/event-rules", allowed: [.get, .head, .post])
        router.rejectOtherMethods("/api/v1/event-rules/{name}", allowed: [.delete])
    }

    /// `GET /api/v1/events?type=&endpoint=&from=&to=&limit=`: newest first; 404 for an unknown endpoint.
    @Sendable func events(_ request: Request, context: APIRequestContext) async throws -> [EventResponse] {
        let parameters = request.uri.queryParameters
        let (from, to) = try QueryParameters.range(parameters)
        let limit = try QueryParameters.limit(parameters["limit"].map(String.init))
        let endpoint = parameters["endpoint"].map(String.init)
        guard
            let events = try await store.events(
                type: parameters["type"].map(String.init), endpoint: endpoint, from: from, to: to, limit: limit)
        else {
            throw Problem.endpointNotFound(endpoint ?? "")
        }
        return events.map {
            EventResponse(
                id: $0.id, type: $0.type, endpoint: $0.endpoint, timestamp: $0.timestamp,
                values: $0.values.map(TimedValueDTO.init))
        }
    }

    /// `GET /api/v1/event-rules`: every rule, sorted by name.
    @Sendable func rules(_ request: Request, context: APIRequestContext) async throws -> [RuleResponse] {
        try await store.eventRules().map(RuleResponse.init)
    }

    /// `POST /api/v1/event-rules` with `{"name","resourceTypes":["o/r",...]}`: 201 when new, 200 when it
    /// replaced the rule of that name; the ingest applies it from its next batch.
    @Sendable func saveRule(_ request: Request, context: APIRequestContext) async throws -> Response {
        let members = try BodyFields.members(try await request.jsonBody(), known: ["name", "resourceTypes"])
        let name = try BodyFields.name(members)
        var keys: [ResourceTypeKey] = []
        for (index, text) in try BodyFields.strings(members, "resourceTypes", required: true).enumerated() {
            guard let key = ResourceTypeKey(text) else {
                throw Problem.invalidBody(
                    NodeJSONError(pointer: "/resourceTypes/\(index)", "'\(text)' is not a resource type like 3303/5700"))
            }
            keys.append(key)
        }
        let rule = EventRule(name: name, resourceTypes: keys)
        let created = try await store.saveEventRule(rule, at: Date())
        var response = try RuleResponse(rule).response(from: request, context: context)
        response.status = created ? .created : .ok
        return response
    }

    /// `DELETE /api/v1/event-rules/{name}`: 204, or 404 problem.
    @Sendable func deleteRule(_ request: Request, context: APIRequestContext) async throws -> Response {
        let raw = try context.parameters.require("name")
        let name = raw.removingPercentEncoding ?? raw
        guard try await store.deleteEventRule(named: name) else { throw Problem.eventRuleNotFound(name) }
        return Response(status: .noContent)
    }
}
