import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RESTBridge

/// No member of a JSON request body takes `null` (schemathesis found `"maxAttempts": null` and `"objectId": null`
/// accepted as if absent): an optional member is left out, and a null is a 400 `invalid-body` naming it.
@Suite("null body members")
struct NullMemberTests {
    @Test("a null member is a 400 pointing at it", arguments: [
        ("/api/v1/observation-profiles", #"{"name":"t","objectId":null,"paths":["/3303/0/5700"]}"#, "/objectId"),
        ("/api/v1/event-rules", #"{"name":"env","resourceTypes":null}"#, "/resourceTypes"),
        ("/api/v1/endpoints/alpha/operations", #"{"kind":"read","path":"/3/0/0","priority":null}"#, "/priority"),
        ("/api/v1/endpoints/alpha/operations", #"{"kind":"read","path":"/3/0/0","notBefore":null}"#, "/notBefore"),
        ("/api/v1/operations", #"{"kind":"read","path":"/3/0/0","endpoints":["alpha"],"endpointPattern":null}"#, "/endpointPattern"),
        ("/api/v1/tokens", #"{"name":"grafana","role":"reader","expiresIn":null}"#, "/expiresIn"),
        ("/api/v1/endpoints/alpha/observations", #"{"paths":["/3303/0/5700"],"composite":null}"#, "/composite"),
    ])
    func nullIsRefused(uri: String, body: String, pointer: String) async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: uri, method: .post, headers: authorized, body: ByteBuffer(string: body))
            #expect(response.status == .badRequest, "\(uri) \(body)")
            let refusal = try problem(response)
            #expect(refusal.type.hasSuffix("invalid-body"))
            #expect(refusal.pointer == pointer)
            #expect(refusal.detail?.contains("null") == true)
        }
    }
}

/// Lengths are counted in Unicode code points, as JSON Schema's `maxLength` counts them (schemathesis found a name
/// of 100 letters with combining marks, well over 100 code points, accepted): a letter and its marks are several.
@Suite("string lengths in code points")
struct CodePointLengthTests {
    @Test("a name of 60 letters with a combining mark each (120 code points) is over 100")
    func combiningMarks() async throws {
        let name = String(repeating: "e\u{0301}", count: 60)
        #expect(name.count == 60)
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.router) { client in
            let long = try await client.execute(
                uri: "/api/v1/event-rules", method: .post, headers: authorized,
                body: ByteBuffer(string: #"{"name":"\#(name)","resourceTypes":["3303/5700"]}"#))
            #expect(long.status == .badRequest)
            #expect(try problem(long).pointer == "/name")
            let fits = try await client.execute(
                uri: "/api/v1/event-rules", method: .post, headers: authorized,
                body: ByteBuffer(string: #"{"name":"\#(String(repeating: "e\u{0301}", count: 50))","resourceTypes":["3303/5700"]}"#))
            #expect(fits.status == .created)
        }
    }
}
