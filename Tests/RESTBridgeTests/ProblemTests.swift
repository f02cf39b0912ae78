import Foundation
import Hummingbird
import HummingbirdTesting
import LwM2M
import ResourceModel
import Testing

@testable import RESTBridge

@Suite("Errors as problem+json")
struct ProblemTests {
    @Test("an unknown route is a 404 problem")
    func unknownRoute() async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/nope?x=1", method: .get, headers: authorized)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(try problem(response) == ProblemBody(
                type: "about:blank", title: "Not Found", status: 404, detail: "No resource at GET /nope.",
                instance: "/nope"))
        }
    }

    @Test("a method no route knows on an unknown path stays a 404")
    func unknownMethodUnknownPath() async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/nope", method: HTTPRequest.Method("QUERY")!, headers: authorized)
            #expect(response.status == .notFound)
            #expect(try problem(response).detail == "No resource at QUERY /nope.")
        }
    }

    @Test("a known path with an unsupported method is a 405 problem with Allow", arguments: [
        ("/api/v1/endpoints", HTTPRequest.Method.post), ("/api/v1/endpoints/alpha", .delete), ("/healthz", .put),
        // Methods no route is registered for at all (schemathesis sends QUERY) are 405 too, not 404.
        ("/api/v1/endpoints", HTTPRequest.Method("QUERY")!), ("/healthz", HTTPRequest.Method("FROB")!),
    ])
    func methodNotAllowed(uri: String, method: HTTPRequest.Method) async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: uri, method: method, headers: authorized)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "GET, HEAD")
            #expect(response.headers[.contentType] == "application/problem+json")
            let body = try problem(response)
            #expect(body.type == "about:blank")
            #expect(body.title == "Method Not Allowed")
            #expect(body.status == 405)
            #expect(body.instance == uri)
        }
    }

    @Test("a database failure is a generic 500 problem; nothing internal leaks")
    func internalError() async throws {
        let app = Application(router: buildRouter(
            configuration: RESTConfiguration(port: 0, apiToken: testToken), repository: FailingRepository(),
            deviceManagement: FakeDeviceManagement()))
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/endpoints", method: .get, headers: authorized)
            #expect(response.status == .internalServerError)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(try problem(response) == ProblemBody(
                type: "about:blank", title: "Internal Server Error", status: 500,
                detail: "The server failed to handle the request.", instance: "/api/v1/endpoints"))
            let text = String(buffer: response.body).lowercased()
            #expect(!text.contains("sql"))
            #expect(!text.contains("no such table"))
        }
    }

    @Test("/healthz is a 503 problem when the database does not answer")
    func healthUnavailable() async throws {
        let app = Application(router: buildRouter(
            configuration: RESTConfiguration(port: 0, apiToken: testToken), repository: FailingRepository(),
            deviceManagement: FakeDeviceManagement()))
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(try problem(response) == ProblemBody(
                type: "https://lwm2m.dev/problems/database-unavailable", title: "Database unavailable", status: 503,
                detail: "The database did not answer.", instance: "/healthz"))
        }
    }
}

/// Storage that fails every call the way a broken database would.
struct FailingRepository: EndpointStore {
    struct StorageError: Error, CustomStringConvertible {
        var description = "SQLite error 1: no such table: endpoint - while executing `SELECT * FROM \"endpoint\"`"
    }

    func apply(_ events: [RegistrationEvent]) async throws { throw StorageError() }

    func onlineRegistrations() async throws -> [Registration] { throw StorageError() }

    func endpoints(online: Bool?, namePrefix: String?, limit: Int?, offset: Int) async throws -> [StoredEndpoint] {
        throw StorageError()
    }

    func endpoint(named name: String) async throws -> StoredEndpoint? { throw StorageError() }

    func endpointNames(matching pattern: GlobPattern) async throws -> [String] { throw StorageError() }

    func syncResourceTypes(from registry: ObjectModelRegistry) async throws -> ResourceTypeSyncResult {
        throw StorageError()
    }

    func resourceTypes() async throws -> [ResourceType] { throw StorageError() }

    func ping() async throws { throw StorageError() }
}
