import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Yams

@testable import RESTBridge

/// The query parameters the server enforces (`QueryParameterTable`) are the OpenAPI document's, operation by
/// operation (path-level and operation-level parameters, `$ref`s resolved); and a parameter outside them is a 400.
@Suite("query parameters: the table is the document's")
struct QueryParameterTableTests {
    static func documentParameters() throws -> [String: Set<String>] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml")
        let document = try #require(try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)) as? [String: Any])
        let components = (document["components"] as? [String: Any])?["parameters"] as? [String: Any] ?? [:]
        func resolve(_ parameter: Any) -> (name: String, location: String)? {
            var parameter = parameter as? [String: Any] ?? [:]
            if let ref = parameter["$ref"] as? String, let name = ref.split(separator: "/").last {
                parameter = components[String(name)] as? [String: Any] ?? [:]
            }
            guard let name = parameter["name"] as? String, let location = parameter["in"] as? String else { return nil }
            return (name, location)
        }
        var table: [String: Set<String>] = [:]
        for (path, item) in try #require(document["paths"] as? [String: Any]) {
            let item = item as? [String: Any] ?? [:]
            let shared = (item["parameters"] as? [Any] ?? []).compactMap(resolve)
            for (method, operation) in item where method != "parameters" {
                let own = ((operation as? [String: Any])?["parameters"] as? [Any] ?? []).compactMap(resolve)
                table["\(method.uppercased()) \(path)"] = Set((shared + own).filter { $0.location == "query" }.map(\.name))
            }
        }
        return table
    }

    @Test("every documented operation has the document's query parameters in the table, and nothing else")
    func tableMatchesTheDocument() throws {
        let document = try Self.documentParameters()
        #expect(document.count > 50)
        for key in Set(document.keys).union(QueryParameterTable.routes.keys).sorted() {
            #expect(QueryParameterTable.routes[key] == document[key], "\(key)")
        }
    }

    @Test("an unknown parameter is a 400 on routes with parameters and on routes without", arguments: [
        "/api/v1/endpoints/alpha", "/api/v1/objects", "/api/v1/events", "/api/v1/endpoints/alpha/resources/3/0/0",
        "/api/v1/endpoints/alpha/latest", "/api/v1/tokens", "/metrics",
    ])
    func unknownParameter(path: String) async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: path + "?bogus=1", method: .get, headers: authorized)
            #expect(response.status == .badRequest, "\(path)")
            let refusal = try problem(response)
            #expect(refusal.type.hasSuffix("invalid-query-parameter"))
            #expect(refusal.detail?.contains("'bogus'") == true)
        }
    }

    @Test("without a token the answer is 401, whatever the query: the check comes after the token's")
    func tokenFirst() async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/tokens?bogus=1", method: .get)
            #expect(response.status == .unauthorized)
            let health = try await client.execute(uri: "/healthz?probe=1", method: .get)
            #expect(health.status == .ok, "/healthz is open and takes what probes add")
        }
    }

    @Test("the parameters a route takes still pass")
    func knownParameters() async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/events?limit=5&type=x", method: .get, headers: authorized)
            #expect(response.status == .ok)
            let head = try await client.execute(uri: "/api/v1/endpoints?limit=1", method: .head, headers: authorized)
            #expect(head.status == .ok)
        }
    }
}
