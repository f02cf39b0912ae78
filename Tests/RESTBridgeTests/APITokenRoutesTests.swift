import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import ResourceModel
import Testing

@testable import RESTBridge

/// `POST/GET/DELETE /api/v1/tokens`: a token is shown once, only its SHA-256 is stored, it works at once with its
/// role, stops working when deleted or expired, and bad bodies are 400 problems with the member's pointer.
@Suite("API tokens")
struct APITokenRoutesTests {
    func post(_ client: some TestClientProtocol, _ body: String, token: String = testToken) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/tokens", method: .post,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
            body: ByteBuffer(string: body))
    }

    func get(_ client: some TestClientProtocol, _ uri: String, token: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"])
    }

    @Test("a made token is shown once, stored as its hash, works with its role and is listed without a secret")
    func createUseList() async throws {
        let database = try await makeSeededDatabase()
        let app = makeApplication(database: database)
        try await app.test(.router) { client in
            let created = try await post(client, #"{"name":"dashboard","role":"reader","expiresIn":3600}"#)
            #expect(created.status == .created)
            #expect(created.headers[.cacheControl] == "no-store")
            let body = try jsonObject(created)
            let token = try #require(body["token"] as? String)
            #expect(token.count == 64 && token.allSatisfy(\.isHexDigit))
            #expect(body["name"] as? String == "dashboard")
            #expect(body["role"] as? String == "reader")
            #expect(body["expiresAt"] is String)

            let stored = try await database.apiTokens()
            #expect(stored.map(\.name) == ["dashboard"])
            let hash = SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
            #expect(stored.first?.tokenHash == hash, "only the SHA-256 is stored")
            #expect(stored.first?.lastUsedAt == nil)

            // The reader reads, and may not write or see tokens.
            #expect(try await get(client, "/api/v1/endpoints", token: token).status == .ok)
            #expect(try await database.apiTokens().first?.lastUsedAt != nil, "use is recorded")
            let write = try await client.execute(
                uri: "/api/v1/endpoints/alpha", method: .delete, headers: [.authorization: "Bearer \(token)"])
            #expect(write.status == .forbidden)
            #expect(write.headers[.contentType] == "application/problem+json")
            #expect(try problem(write).detail
                == "This call needs the role 'operator'; the token 'dashboard' has the role 'reader'.")
            #expect(try await get(client, "/api/v1/tokens", token: token).status == .forbidden)

            let listed = try await get(client, "/api/v1/tokens", token: testToken)
            #expect(listed.status == .ok)
            let rows = try jsonArray(listed)
            #expect(rows.map { $0["name"] as? String } == ["dashboard"])
            #expect(Set(rows[0].keys) == ["name", "role", "createdAt", "expiresAt", "lastUsedAt"])
            let text = String(buffer: listed.body)
            #expect(!text.contains(token) && !text.contains(hash))
        }
    }

    @Test("a deleted token stops working at once; deleting again is 404")
    func delete() async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let token = try #require(try jsonObject(try await post(client, #"{"name":"ci","role":"operator"}"#))["token"] as? String)
            #expect(try await get(client, "/api/v1/endpoints", token: token).status == .ok)
            let gone = try await client.execute(
                uri: "/api/v1/tokens/ci", method: .delete, headers: [.authorization: "Bearer \(testToken)"])
            #expect(gone.status == .noContent)
            let refused = try await get(client, "/api/v1/endpoints", token: token)
            #expect(refused.status == .unauthorized)
            #expect(try problem(refused).detail == "The bearer token is not valid.")
            let again = try await client.execute(
                uri: "/api/v1/tokens/ci", method: .delete, headers: [.authorization: "Bearer \(testToken)"])
            #expect(again.status == .notFound)
            #expect(try problem(again).type == "https://lwm2m.dev/problems/token-not-found")
        }
    }

    @Test("an expired token is 401 and says so")
    func expired() async throws {
        let database = try await makeSeededDatabase()
        let token = "expired-token-value"
        try await database.insertAPIToken(StoredAPIToken(
            name: "old", role: "admin", tokenHash: APITokenAuthenticator<APIRequestContext>.hash(token),
            createdAt: Date().addingTimeInterval(-7200), expiresAt: Date().addingTimeInterval(-1)))
        let app = makeApplication(database: database)
        try await app.test(.router) { client in
            let response = try await get(client, "/api/v1/endpoints", token: token)
            #expect(response.status == .unauthorized)
            #expect(try problem(response).detail == "The bearer token 'old' has expired.")
        }
    }

    @Test("a name in use is 409 and keeps the first token")
    func duplicate() async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let first = try #require(try jsonObject(try await post(client, #"{"name":"ops","role":"operator"}"#))["token"] as? String)
            let second = try await post(client, #"{"name":"ops","role":"admin"}"#)
            #expect(second.status == .conflict)
            #expect(try problem(second).type == "https://lwm2m.dev/problems/token-name-taken")
            #expect(try await get(client, "/api/v1/tokens", token: first).status == .forbidden, "still an operator")
        }
    }

    @Test("bad bodies are 400 at the member", arguments: [
        (#"{"role":"reader"}"#, "/name"),
        (#"{"name":"","role":"reader"}"#, "/name"),
        (#"{"name":"has space","role":"reader"}"#, "/name"),
        (#"{"name":"\#(String(repeating: "x", count: 65))","role":"reader"}"#, "/name"),
        (#"{"name":"a","role":"root"}"#, "/role"),
        (#"{"name":"a","role":"metrics"}"#, "/role"),
        (#"{"name":"a"}"#, "/role"),
        (#"{"name":"a","role":"reader","expiresIn":0}"#, "/expiresIn"),
        (#"{"name":"a","role":"reader","expiresIn":-5}"#, "/expiresIn"),
        (#"{"name":"a","role":"reader","expiresIn":1.5}"#, "/expiresIn"),
        (#"{"name":"a","role":"reader","expiresIn":"3600"}"#, "/expiresIn"),
        (#"{"name":"a","role":"reader","expiresIn":null}"#, "/expiresIn"),
        (#"{"name":"a","role":"reader","scope":"all"}"#, "/scope"),
    ])
    func invalid(body: String, pointer: String) async throws {
        let database = try await makeSeededDatabase()
        let app = makeApplication(database: database)
        try await app.test(.router) { client in
            let response = try await post(client, body)
            #expect(response.status == .badRequest)
            #expect(try jsonObject(response)["pointer"] as? String == pointer, "\(String(buffer: response.body))")
        }
        #expect(try await database.apiTokens().isEmpty, "nothing stored")
    }

    @Test("with authentication off every call is an admin's")
    func noAuth() async throws {
        let app = makeApplication(database: try await makeSeededDatabase(), token: nil)
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/tokens", method: .get)
            #expect(response.status == .ok)
        }
    }

    @Test("the role rule", arguments: [
        ("GET", "/metrics", APIRole.metrics), ("HEAD", "/metrics", .metrics), ("POST", "/metrics", .operator),
        ("GET", "/api/v1/endpoints", .reader), ("HEAD", "/api/v1/stream", .reader),
        ("DELETE", "/api/v1/endpoints/a", .operator), ("POST", "/api/v1/firmware", .operator),
        ("GET", "/api/v1/tokens", .admin), ("DELETE", "/api/v1/tokens/x", .admin),
        ("GET", "/api/v1/security/dev", .admin), ("GET", "/api/v1/securityx", .reader),
        ("GET", "/nowhere", .reader), ("TRACE", "/api/v1/endpoints", .operator),
    ])
    func rule(method: String, path: String, role: APIRole) {
        #expect(APIAccess.requiredRole(method: HTTPRequest.Method(method)!, path: path) == role)
    }
}
