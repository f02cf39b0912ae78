import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RESTBridge

@Suite("GET /api/v1/endpoints")
struct EndpointRoutesTests {
    @Test("lists every endpoint sorted by name as JSON")
    func list() async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/endpoints", method: .get, headers: authorized)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let names = try jsonArray(response).map { $0["endpoint"] as? String }
            #expect(names == ["alpha", "beta", "gamma", "urn:imei:490154203237518"])
        }
    }

    @Test("the endpoint representation: field names, ISO 8601 milliseconds, paths, versions, omitted nulls")
    func representation() async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/endpoints/alpha", method: .get, headers: authorized)
            #expect(response.status == .ok)
            let json = try jsonObject(response)
            #expect(Set(json.keys) == [
                "endpoint", "registrationId", "lwm2mVersion", "binding", "queueMode", "lifetime", "registeredAt",
                "lastSeen", "online", "objectLinks", "objectVersions", "supportedContentFormats", "address",
                "transport", "rootPath",
            ])
            #expect(json["transport"] as? String == "udp")
            #expect(json["endpoint"] as? String == "alpha")
            #expect(json["registrationId"] as? String == "a1")
            #expect(json["lwm2mVersion"] as? String == "1.1")
            #expect(json["binding"] as? String == "UQ")
            #expect(json["queueMode"] as? Bool == true)
            #expect(json["lifetime"] as? Int == 300)
            #expect(json["registeredAt"] as? String == "2026-11-23T01:02:03.456Z")
            #expect(json["lastSeen"] as? String == "2026-11-23T01:02:04.956Z")
            #expect(json["online"] as? Bool == true)
            #expect(json["objectLinks"] as? [String] == ["/1/0", "/3/0", "/5"])
            #expect(json["objectVersions"] as? [String: String] == ["5": "1.1"])
            #expect(json["supportedContentFormats"] as? [Int] == [110, 112])
            #expect(json["address"] as? String == "192.0.2.1:5683")
            #expect(json["rootPath"] as? String == "/")

            let beta = try jsonObject(
                try await client.execute(uri: "/api/v1/endpoints/beta", method: .get, headers: authorized))
            #expect(beta["smsNumber"] as? String == "+15550100")
            #expect(beta["objectVersions"] as? [String: String] == [:])
        }
    }

    @Test("the DTO decodes back with APIJSON")
    func roundTrip() async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/endpoints/gamma", method: .get, headers: authorized)
            let dto = try APIJSON.decoder().decode(EndpointDTO.self, from: Data(buffer: response.body))
            #expect(dto.endpoint == "gamma")
            #expect(dto.online == false)
            // Same instant to the millisecond (parsing rebuilds the Double from calendar fields).
            #expect(abs(dto.registeredAt.timeIntervalSince(t0)) < 0.0005)
            #expect(abs(dto.lastSeen.timeIntervalSince(t0.addingTimeInterval(1.5))) < 0.0005)
            #expect(dto.objectLinks == ["/3/0"])
            #expect(dto.supportedContentFormats == [110, 112])
        }
    }

    @Test("names with reserved characters are found raw or percent-encoded", arguments: [
        "/api/v1/endpoints/urn:imei:490154203237518", "/api/v1/endpoints/urn%3Aimei%3A490154203237518",
    ])
    func encodedName(uri: String) async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: uri, method: .get, headers: authorized)
            #expect(response.status == .ok)
            #expect(try jsonObject(response)["endpoint"] as? String == "urn:imei:490154203237518")
        }
    }

    @Test("?online filters", arguments: [
        ("true", ["alpha", "beta", "urn:imei:490154203237518"]), ("false", ["gamma"]),
    ])
    func onlineFilter(value: String, expected: [String]) async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/endpoints?online=\(value)", method: .get, headers: authorized)
            #expect(response.status == .ok)
            #expect(try jsonArray(response).map { $0["endpoint"] as? String } == expected)
        }
    }

    @Test("a bad ?online value is a 400 problem", arguments: ["maybe", "", "TRUE", "1"])
    func badFilter(value: String) async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/endpoints?online=\(value)", method: .get, headers: authorized)
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType] == "application/problem+json")
            let body = try problem(response)
            #expect(body.type == "https://lwm2m.dev/problems/invalid-query-parameter")
            #expect(body.status == 400)
            #expect(body.instance == "/api/v1/endpoints")
            #expect(body.detail == "Query parameter 'online' is '\(value)'; expected 'true' or 'false'.")
        }
    }

    @Test("an unknown endpoint is a 404 problem")
    func unknownEndpoint() async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/endpoints/nope", method: .get, headers: authorized)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(try problem(response) == ProblemBody(
                type: "https://lwm2m.dev/problems/endpoint-not-found", title: "Endpoint not found", status: 404,
                detail: "No endpoint named 'nope' has registered.", instance: "/api/v1/endpoints/nope"))
        }
    }

    @Test("HEAD answers like GET without a body")
    func head() async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/endpoints", method: .head, headers: authorized)
            #expect(response.status == .ok)
            #expect(response.body.readableBytes == 0)
        }
    }
}
