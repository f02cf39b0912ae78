import Foundation
import Logging
import Synchronization
import Testing

@testable import CoAP

/// CoAP over DTLS with pre-shared keys over real sockets: the server serves keys by identity and tells the
/// handler which identity a request came with.
@Suite(.serialized)
struct CoAPDTLSTests {
    let logger = Logger(label: "coap-dtls-test")
    static let key: [UInt8] = Array("0123456789abcdef".utf8)

    /// A server on loopback (UDP and DTLS) that answers with the identity it saw (`-` for plain UDP).
    func makeServer() throws -> CoAPEndpoint {
        let server = CoAPEndpoint(
            configuration: .init(
                bindHost: "127.0.0.1", bindPort: 0, dtlsBindPort: 0,
                pskKey: { identity in identity == Array("dev-1".utf8) ? Self.key : nil }),
            logger: logger
        ) { inbound in
            let who = inbound.pskIdentity.map { String(decoding: $0, as: UTF8.self) } ?? "-"
            return CoAPResponse(code: .content, payload: Array("\(who) \(inbound.isSecure)".utf8))
        }
        try server.start()
        return server
    }

    @Test func aClientWithTheRightKeyIsServedAndItsIdentityIsKnown() async throws {
        let server = try makeServer()
        defer { server.stop() }
        let dtlsPort = try #require(server.boundDTLSPort)
        #expect(dtlsPort != server.boundPort)
        let client = CoAPEndpoint(configuration: .init(), logger: logger) { _ in .error(.notFound, "") }
        try client.start()
        defer { client.stop() }

        let secure = try await client.connect(
            host: "127.0.0.1", port: dtlsPort, psk: .init(identity: Array("dev-1".utf8), key: Self.key))
        let answer = try await client.send(CoAPRequest(method: .get, uriPath: ["x"]), on: secure, timeout: .seconds(10))
        #expect(answer.payloadText == "dev-1 true")
        // A second request reuses the session.
        let again = try await client.send(CoAPRequest(method: .get, uriPath: ["y"]), on: secure, timeout: .seconds(10))
        #expect(again.payloadText == "dev-1 true")

        let plain = try await client.connect(host: "127.0.0.1", port: server.boundPort ?? 0)
        let plainAnswer = try await client.send(CoAPRequest(method: .get, uriPath: ["x"]), on: plain)
        #expect(plainAnswer.payloadText == "- false")
    }

    @Test("a wrong key or an unknown identity gets no answer", arguments: [
        ("dev-1", "fedcba9876543210"), ("dev-2", "0123456789abcdef"),
    ])
    func refusedHandshakes(identity: String, key: String) async throws {
        let server = try makeServer()
        defer { server.stop() }
        let client = CoAPEndpoint(configuration: .init(), logger: logger) { _ in .error(.notFound, "") }
        try client.start()
        defer { client.stop() }
        let session = try await client.connect(
            host: "127.0.0.1", port: server.boundDTLSPort ?? 0,
            psk: .init(identity: Array(identity.utf8), key: Array(key.utf8)))
        await #expect(throws: CoAPError.self) {
            _ = try await client.send(CoAPRequest(method: .get, uriPath: ["x"]), on: session, timeout: .seconds(2))
        }
    }

    @Test func dtlsWithoutAKeyLookupDoesNotStart() {
        let server = CoAPEndpoint(
            configuration: .init(bindHost: "127.0.0.1", bindPort: 0, dtlsBindPort: 0), logger: logger
        ) { _ in .error(.notFound, "") }
        #expect(throws: CoAPError.self) { try server.start() }
    }
}
