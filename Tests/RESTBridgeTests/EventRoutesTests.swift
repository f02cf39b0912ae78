import Foundation
import Hummingbird
import HummingbirdTesting
import LwM2M
import ResourceModel
import Testing

@testable import RESTBridge

@Suite("Event and event-rule routes")
struct EventRoutesTests {
    static let environment = EventRule(
        name: "environment", resourceTypes: ["3303/5700", "3304/5700", "3315/5700"].compactMap(ResourceTypeKey.init))

    @Test("events carry their values; filters by type, endpoint and range")
    func events() async throws {
        let database = try await makeTelemetryDatabase(rules: [Self.environment])
        let response = try await send(.get, "/api/v1/events?type=environment&endpoint=alpha", database: database)
        #expect(response.status == .ok)
        let events = try jsonArray(response)
        // The Send (25 temperatures) and the second notification (temperature + humidity) match; newest first.
        #expect(events.map { $0["type"] as? String } == ["environment", "environment"])
        #expect(events.map { $0["timestamp"] as? String } == ["2026-11-23T01:02:33.456Z", "2026-11-23T01:02:27.456Z"])
        let newest = try #require(events.first?["values"] as? [[String: Any]])
        #expect(newest.map { $0["path"] as? String } == ["/3303/0/5700", "/3304/0/5700"])
        #expect(newest.map { $0["value"] as? Double } == [30, 55])
        #expect((events.last?["values"] as? [[String: Any]])?.count == 25)
        let limited = try jsonArray(try await send(.get, "/api/v1/events?limit=1&to=2026-11-23T01:02:30Z", database: database))
        #expect(limited.map { $0["timestamp"] as? String } == ["2026-11-23T01:02:27.456Z"])
        let none = try await send(.get, "/api/v1/events?type=other", database: database)
        #expect(String(buffer: none.body) == "[]")
        let unknown = try await send(.get, "/api/v1/events?endpoint=nobody", database: database)
        #expect(unknown.status == .notFound)
        let bad = try await send(.get, "/api/v1/events?from=soon", database: database)
        #expect(bad.status == .badRequest)
    }

    @Test("event rules: POST creates (201) and replaces (200), GET lists, DELETE removes (204, then 404)")
    func rulesCRUD() async throws {
        let database = try AppDatabase.inMemory()
        let created = try await send(
            .post, "/api/v1/event-rules", body: #"{"name":"environment","resourceTypes":["3304/5700","3303/5700"]}"#,
            database: database)
        #expect(created.status == .created)
        #expect(String(buffer: created.body) == #"{"name":"environment","resourceTypes":["3303/5700","3304/5700"]}"#)
        let replaced = try await send(
            .post, "/api/v1/event-rules", body: #"{"name":"environment","resourceTypes":["3315/5700"]}"#, database: database)
        #expect(replaced.status == .ok)
        let list = try await send(.get, "/api/v1/event-rules", database: database)
        #expect(String(buffer: list.body) == #"[{"name":"environment","resourceTypes":["3315/5700"]}]"#)
        #expect(try await database.eventRules() == [EventRule(name: "environment", resourceTypes: [ResourceTypeKey("3315/5700")!])])
        let deleted = try await send(.delete, "/api/v1/event-rules/environment", database: database)
        #expect(deleted.status == .noContent)
        let again = try await send(.delete, "/api/v1/event-rules/environment", database: database)
        #expect(again.status == .notFound)
        #expect(try problem(again).type == "https://lwm2m.dev/problems/event-rule-not-found")
    }

    @Test("invalid rule bodies are 400 with a pointer", arguments: [
        (#"{"resourceTypes":["3303/5700"]}"#, "/name"), (#"{"name":"x","resourceTypes":[]}"#, "/resourceTypes"),
        (#"{"name":"x","resourceTypes":["3303"]}"#, "/resourceTypes/0"), (#"{"name":"x","resourceTypes":[3303]}"#, "/resourceTypes/0"),
        (#"{"name":"x","resourceTypes":["1/2"],"extra":1}"#, "/extra"), ("[]", ""), ("not json", ""),
    ])
    func invalidRules(body: String, pointer: String) async throws {
        let response = try await send(.post, "/api/v1/event-rules", body: body, database: try AppDatabase.inMemory())
        #expect(response.status == .badRequest)
        #expect(try problem(response).pointer == pointer)
    }

    @Test("observation profiles: POST, GET, DELETE; bad bodies 400")
    func profiles() async throws {
        let database = try AppDatabase.inMemory()
        let body = #"{"name":"temperature","objectId":3303,"endpointPattern":"sim-*","paths":["/3303/0/5700"],"attributes":{"pmin":1,"pmax":10}}"#
        let created = try await send(.post, "/api/v1/observation-profiles", body: body, database: database)
        #expect(created.status == .created)
        #expect(String(buffer: created.body) == body.replacingOccurrences(of: #""name":"temperature","objectId":3303,"endpointPattern":"sim-*","paths":["/3303/0/5700"],"attributes":{"pmin":1,"pmax":10}"#, with: #""attributes":{"pmax":10,"pmin":1},"endpointPattern":"sim-*","name":"temperature","objectId":3303,"paths":["/3303/0/5700"]"#))
        let list = try jsonArray(try await send(.get, "/api/v1/observation-profiles", database: database))
        #expect(list.map { $0["name"] as? String } == ["temperature"])
        #expect(try await database.observationProfiles(matching: "sim-4", objectIDs: [3303]) == [
            ObservationProfile.Match(
                profile: "temperature", paths: [try LwM2MPath("/3303/0/5700")], attributes: NotificationAttributes(pmin: 1, pmax: 10)),
        ])
        for bad in [
            #"{"name":"p","paths":[]}"#, #"{"name":"p","paths":["/x"]}"#, #"{"name":"p","paths":["/3/0/9"],"objectId":70000}"#,
            #"{"name":"p","paths":["/3/0/9"],"attributes":{"pmin":-1}}"#, #"{"name":"p","paths":["/3/0/9"],"attributes":{"speed":1}}"#,
            #"{"name":"p","paths":["/3/0/9"],"attributes":{"pmin":10,"pmax":5}}"#,
        ] {
            let response = try await send(.post, "/api/v1/observation-profiles", body: bad, database: database)
            #expect(response.status == .badRequest, "\(bad)")
        }
        #expect(try await send(.delete, "/api/v1/observation-profiles/temperature", database: database).status == .noContent)
        #expect(try await send(.delete, "/api/v1/observation-profiles/temperature", database: database).status == .notFound)
    }
}
