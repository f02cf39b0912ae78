import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RESTBridge

@Suite("Bearer authentication")
struct AuthTests {
    @Test("no Authorization header: 401 problem with WWW-Authenticate: Bearer")
    func missing() async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/endpoints", method: .get)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == "Bearer")
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(try problem(response) == ProblemBody(
                type: "https://lwm2m.dev/problems/unauthorized", title: "Unauthorized", status: 401,
                detail: "This resource requires 'Authorization: Bearer <token>'.", instance: "/api/v1/endpoints"))
        }
    }

    @Test("a wrong token or scheme is rejected", arguments: [
        "Bearer wrong", "Bearer \(testToken)x", "Bearer s3cret", "Basic \(testToken)", "Bearer", "\(testToken)",
    ])
    func wrong(header: String) async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/endpoints/alpha", method: .get, headers: [.authorization: header])
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(try problem(response).status == 401)
            let text = String(buffer: response.body)
            #expect(!text.contains("\"endpoint\""))
            #expect(!text.contains("192.0.2.1"))
        }
    }

    @Test("the right token passes (scheme case-insensitive)", arguments: ["Bearer", "bearer", "BEARER"])
    func right(scheme: String) async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/endpoints/alpha", method: .get, headers: [.authorization: "\(scheme) \(testToken)"])
            #expect(response.status == .ok)
            #expect(try jsonObject(response)["endpoint"] as? String == "alpha")
        }
    }

    @Test("/healthz needs no token")
    func healthOpen() async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
        }
    }

    @Test("unknown paths answer 401 without a token, so they reveal nothing")
    func unknownPathNeedsToken() async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let anonymous = try await client.execute(uri: "/api/v2/secret", method: .get)
            let authenticated = try await client.execute(uri: "/api/v2/secret", method: .get, headers: authorized)
            #expect(anonymous.status == .unauthorized)
            #expect(authenticated.status == .notFound)
        }
    }

    @Test("no token configured: the API is open")
    func disabled() async throws {
        let app = makeApplication(database: try await makeSeededDatabase(), token: nil)
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/endpoints", method: .get)
            #expect(response.status == .ok)
            #expect(try jsonArray(response).count == 4)
        }
    }

    @Test("constant-time comparison is still a comparison")
    func comparison() {
        let token = Array("abcdef".utf8)
        #expect(APITokenAuthenticator<APIRequestContext>.constantTimeEquals(Array("abcdef".utf8), token))
        #expect(!APITokenAuthenticator<APIRequestContext>.constantTimeEquals(Array("abcdeg".utf8), token))
        #expect(!APITokenAuthenticator<APIRequestContext>.constantTimeEquals(Array("abc".utf8), token))
        #expect(!APITokenAuthenticator<APIRequestContext>.constantTimeEquals(Array("abcdefg".utf8), token))
        #expect(!APITokenAuthenticator<APIRequestContext>.constantTimeEquals([], token))
    }
}
