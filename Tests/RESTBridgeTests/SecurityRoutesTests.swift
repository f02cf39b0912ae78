import Foundation
import Hummingbird
import HummingbirdTesting
import LwM2M
import ResourceModel
import Testing

@testable import RESTBridge

/// The PSK credential routes over a real (in-memory) database and the in-memory store the DTLS handshake reads.
@Suite("Security routes")
struct SecurityRoutesTests {
    struct Setup {
        let database: AppDatabase
        let store: DTLSCredentialStore?

        func send(
            _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, headers: HTTPFields = authorized
        ) async throws -> TestResponse {
            let app = buildApplication(
                configuration: RESTConfiguration(host: "127.0.0.1", port: 0, apiToken: testToken),
                stores: database.stores, deviceManagement: FakeDeviceManagement(), pskCredentials: store,
                logger: quietLogger)
            return try await app.test(.router) { client in
                try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
            }
        }

        /// The store's key for `identity`.
        func key(_ identity: String) -> [UInt8]? {
            store?.key(forIdentity: Array(identity.utf8))
        }
    }

    static func setup(store: DTLSCredentialStore? = DTLSCredentialStore()) async throws -> Setup {
        Setup(database: try await makeSeededDatabase(), store: store)
    }

    static let key16 = "000102030405060708090a0b0c0d0e0f"

    @Test("PUT creates (201), the store serves the key at once, GET shows the credential without its key")
    func create() async throws {
        let s = try await Self.setup()
        let created = try await s.send(
            .put, "/api/v1/security/alpha", body: #"{"identity":"alpha-psk","key":"\#(Self.key16)"}"#)
        #expect(created.status == .created)
        let body = try jsonObject(created)
        #expect(Set(body.keys) == ["endpoint", "mode", "identity", "keyLength", "createdAt", "updatedAt"])
        #expect(body["endpoint"] as? String == "alpha")
        #expect(body["identity"] as? String == "alpha-psk")
        #expect(body["keyLength"] as? Int == 16)
        #expect(body["createdAt"] as? String == body["updatedAt"] as? String)
        #expect(s.key("alpha-psk") == Array(0..<16))
        #expect(try await s.database.pskCredential(endpoint: "alpha")
            == PSKCredential(endpoint: "alpha", identity: "alpha-psk", key: Array(0..<16)))

        let fetched = try await s.send(.get, "/api/v1/security/alpha")
        #expect(fetched.status == .ok)
        #expect(try jsonObject(fetched)["identity"] as? String == "alpha-psk")
        #expect(!text(fetched).contains(Self.key16))
    }

    @Test("PUT on an endpoint that never registered works; identity defaults to the endpoint name")
    func defaultIdentity() async throws {
        let s = try await Self.setup()
        let created = try await s.send(.put, "/api/v1/security/urn:imei:1234", body: #"{"key":"A0B1C2"}"#)
        #expect(created.status == .created)
        #expect(try jsonObject(created)["identity"] as? String == "urn:imei:1234")
        #expect(s.key("urn:imei:1234") == [0xA0, 0xB1, 0xC2])
    }

    @Test("PUT again replaces (200): new identity and key, createdAt kept; the old identity loses its key")
    func replace() async throws {
        let s = try await Self.setup()
        let first = try jsonObject(try await s.send(.put, "/api/v1/security/alpha", body: #"{"key":"0102"}"#))
        let replaced = try await s.send(.put, "/api/v1/security/alpha", body: #"{"identity":"alpha-2","key":"ffee"}"#)
        #expect(replaced.status == .ok)
        let body = try jsonObject(replaced)
        #expect(body["identity"] as? String == "alpha-2")
        #expect(body["keyLength"] as? Int == 2)
        #expect(body["createdAt"] as? String == first["createdAt"] as? String)
        #expect(try #require(body["updatedAt"] as? String) >= #require(first["updatedAt"] as? String))
        #expect(s.key("alpha") == nil)
        #expect(s.key("alpha-2") == [0xFF, 0xEE])
        #expect(try await s.database.pskCredentials().map(\.identity) == ["alpha-2"])
    }

    @Test("GET /api/v1/security lists every credential by endpoint name, never a key")
    func list() async throws {
        let s = try await Self.setup()
        #expect(try jsonArray(try await s.send(.get, "/api/v1/security")).isEmpty)
        _ = try await s.send(.put, "/api/v1/security/beta", body: #"{"key":"\#(Self.key16)"}"#)
        _ = try await s.send(.put, "/api/v1/security/alpha", body: #"{"identity":"a","key":"DEADBEEF"}"#)
        let listed = try await s.send(.get, "/api/v1/security")
        #expect(listed.status == .ok)
        let array = try jsonArray(listed)
        #expect(array.map { $0["endpoint"] as? String } == ["alpha", "beta"])
        #expect(array.map { $0["keyLength"] as? Int } == [4, 16])
        #expect(array.allSatisfy { Set($0.keys) == ["endpoint", "mode", "identity", "keyLength", "createdAt", "updatedAt"] })
        let raw = text(listed).lowercased()
        #expect(!raw.contains("deadbeef"))
        #expect(!raw.contains(Self.key16))
    }

    @Test("an identity another endpoint uses: 409 identity-taken, nothing changed in the database or the store")
    func identityTaken() async throws {
        let s = try await Self.setup()
        _ = try await s.send(.put, "/api/v1/security/alpha", body: #"{"identity":"shared","key":"01"}"#)
        _ = try await s.send(.put, "/api/v1/security/beta", body: #"{"identity":"beta","key":"02"}"#)
        let before = try await s.database.storedPSKCredentials()

        for endpoint in ["beta", "gamma"] {
            let response = try await s.send(
                .put, "/api/v1/security/\(endpoint)", body: #"{"identity":"shared","key":"03"}"#)
            #expect(response.status == .conflict)
            #expect(response.headers[.contentType] == "application/problem+json")
            let details = try problem(response)
            #expect(details.type == "https://lwm2m.dev/problems/identity-taken")
            #expect(details.detail?.contains("'alpha'") == true)
        }
        #expect(try await s.database.storedPSKCredentials() == before)
        #expect(s.key("shared") == [0x01])
        #expect(s.key("beta") == [0x02])
        #expect(s.store?.all.map(\.endpoint) == ["alpha", "beta"])
    }

    @Test("bad bodies: 400 invalid-body with the member's pointer, nothing stored", arguments: [
        (#"{"key":"0g"}"#, "/key"),
        (#"{"key":"abc"}"#, "/key"),
        (#"{"key":"\#(String(repeating: "ab", count: 65))"}"#, "/key"),
        (#"{"key":""}"#, "/key"),
        (#"{"key":" 0102"}"#, "/key"),
        (#"{"key":"0x0102"}"#, "/key"),
        (#"{"key":258}"#, "/key"),
        (#"{"identity":"alpha"}"#, "/key"),
        (#"{"key":null}"#, "/key"),
        (#"{"key":"0102","mode":"ecdh"}"#, "/mode"),
        (#"{"key":"0102","mode":null}"#, "/mode"),
        (#"{"mode":"rpk"}"#, "/publicKey"),
        (#"{"mode":"rpk","publicKey":"bm90IGEga2V5"}"#, "/publicKey"),
        (#"{"mode":"rpk","publicKey":7}"#, "/publicKey"),
        (#"{"mode":"rpk","publicKey":"MFkw","key":"01"}"#, "/key"),
        (#"{"mode":"x509","subject":""}"#, "/subject"),
        (#"{"mode":"x509","subject":null}"#, "/subject"),
        (#"{"mode":"x509","identity":"a"}"#, "/identity"),
        (#"{"identity":"","key":"0102"}"#, "/identity"),
        (#"{"identity":"a\tb","key":"0102"}"#, "/identity"),
        (#"{"identity":"a\u0000","key":"0102"}"#, "/identity"),
        (#"{"identity":"\#(String(repeating: "é", count: 65))","key":"0102"}"#, "/identity"),
        (#"{"identity":7,"key":"0102"}"#, "/identity"),
        (#"["0102"]"#, ""),
        ("not json", ""),
        ("", ""),
    ] as [(String, String)])
    func badBodies(body: String, pointer: String) async throws {
        let s = try await Self.setup()
        let response = try await s.send(.put, "/api/v1/security/alpha", body: body)
        #expect(response.status == .badRequest)
        #expect(response.headers[.contentType] == "application/problem+json")
        let details = try problem(response)
        #expect(details.type == "https://lwm2m.dev/problems/invalid-body")
        #expect(details.pointer == pointer)
        if !pointer.isEmpty {
            #expect(details.detail?.contains("'\(pointer)'") == true, "detail and pointer agree")
        }
        #expect(try await s.database.pskCredentials().isEmpty)
        #expect(s.store?.all.isEmpty == true)
    }

    @Test("a bad key is never repeated in the problem")
    func keyNotEchoed() async throws {
        let s = try await Self.setup()
        let response = try await s.send(.put, "/api/v1/security/alpha", body: #"{"key":"0011223344556677zz"}"#)
        #expect(response.status == .badRequest)
        #expect(!text(response).contains("0011223344556677"))
    }

    @Test("keys of 1 and 64 bytes are accepted, in either case")
    func keyBounds() async throws {
        let s = try await Self.setup()
        #expect(try await s.send(.put, "/api/v1/security/alpha", body: #"{"key":"Af"}"#).status == .created)
        #expect(s.key("alpha") == [0xAF])
        let long = String(repeating: "aB", count: 64)
        let identity = String(repeating: "i", count: 128)
        let response = try await s.send(
            .put, "/api/v1/security/beta", body: #"{"identity":"\#(identity)","key":"\#(long)"}"#)
        #expect(response.status == .created)
        #expect(try jsonObject(response)["keyLength"] as? Int == 64)
    }

    @Test("an endpoint name that cannot be an identity needs an explicit one")
    func endpointNameTooLongForIdentity() async throws {
        let s = try await Self.setup()
        let name = String(repeating: "n", count: 129)
        let refused = try await s.send(.put, "/api/v1/security/\(name)", body: #"{"key":"01"}"#)
        #expect(refused.status == .badRequest)
        #expect(try problem(refused).pointer == "/identity")
        let explicit = try await s.send(.put, "/api/v1/security/\(name)", body: #"{"identity":"short","key":"01"}"#)
        #expect(explicit.status == .created)
    }

    @Test("a percent-encoded endpoint name is decoded")
    func percentEncoded() async throws {
        let s = try await Self.setup()
        let created = try await s.send(.put, "/api/v1/security/dev%20one", body: #"{"identity":"dev-one","key":"01"}"#)
        #expect(created.status == .created)
        #expect(try jsonObject(created)["endpoint"] as? String == "dev one")
        #expect(try await s.send(.get, "/api/v1/security/dev%20one").status == .ok)
    }

    @Test("DELETE: 204 and the store forgets the key; then 404")
    func delete() async throws {
        let s = try await Self.setup()
        _ = try await s.send(.put, "/api/v1/security/alpha", body: #"{"key":"0102"}"#)
        #expect(s.key("alpha") == [1, 2])
        let deleted = try await s.send(.delete, "/api/v1/security/alpha")
        #expect(deleted.status == .noContent)
        #expect(s.key("alpha") == nil)
        #expect(try await s.database.pskCredentials().isEmpty)
        let again = try await s.send(.delete, "/api/v1/security/alpha")
        #expect(again.status == .notFound)
        #expect(try problem(again).type == "https://lwm2m.dev/problems/security-not-found")
    }

    @Test("GET of an endpoint without a credential: 404 security-not-found")
    func notFound() async throws {
        let s = try await Self.setup()
        let response = try await s.send(.get, "/api/v1/security/alpha")
        #expect(response.status == .notFound)
        #expect(try problem(response) == ProblemBody(
            type: "https://lwm2m.dev/problems/security-not-found", title: "Security credential not found",
            status: 404, detail: "Endpoint 'alpha' has no DTLS credential.", instance: "/api/v1/security/alpha"))
    }

    @Test("other methods: 405 with Allow", arguments: [
        (HTTPRequest.Method.post, "/api/v1/security", "GET, HEAD"),
        (.delete, "/api/v1/security", "GET, HEAD"),
        (.post, "/api/v1/security/alpha", "GET, HEAD, PUT, DELETE"),
        (.patch, "/api/v1/security/alpha", "GET, HEAD, PUT, DELETE"),
    ])
    func methodNotAllowed(method: HTTPRequest.Method, uri: String, allow: String) async throws {
        let s = try await Self.setup()
        let response = try await s.send(method, uri, body: #"{"key":"01"}"#)
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers[.allow] == allow)
        #expect(try await s.database.pskCredentials().isEmpty)
    }

    @Test("without a token: 401, nothing stored")
    func unauthorized() async throws {
        let s = try await Self.setup()
        let put = try await s.send(.put, "/api/v1/security/alpha", body: #"{"key":"01"}"#, headers: [:])
        #expect(put.status == .unauthorized)
        #expect(try await s.send(.get, "/api/v1/security", headers: [:]).status == .unauthorized)
        #expect(try await s.database.pskCredentials().isEmpty)
        #expect(s.key("alpha") == nil)
    }

    @Test("without a credential store every route answers 503 unavailable and nothing is stored", arguments: [
        (HTTPRequest.Method.get, "/api/v1/security"), (.get, "/api/v1/security/alpha"),
        (.put, "/api/v1/security/alpha"), (.delete, "/api/v1/security/alpha"),
    ])
    func unavailable(method: HTTPRequest.Method, uri: String) async throws {
        let s = try await Self.setup(store: nil)
        let response = try await s.send(method, uri, body: #"{"key":"01"}"#)
        #expect(response.status == .serviceUnavailable)
        #expect(try problem(response).type == "https://lwm2m.dev/problems/unavailable")
        #expect(try await s.database.pskCredentials().isEmpty)
    }
}
