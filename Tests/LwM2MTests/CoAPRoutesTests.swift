import CoAP
import Foundation
import Logging
import Synchronization
import Testing

@testable import LwM2M

/// A module mounts a CoAP resource on the server's route table without touching the registration code; both are
/// reached over real CoAP on loopback.
@Suite(.serialized)
struct CoAPRoutesTests {
    let logger = Logger(label: "coap-routes") { _ in SwiftLogNoOpLogHandler() }

    @Test func aMountedModuleAnswersBesideTheRegistrationInterface() async throws {
        let server = LwM2MServer(configuration: .init(host: "127.0.0.1", coapPort: 0), logger: logger)
        let seen = Mutex<[String]>([])
        // A bootstrap-like module: POST /bs?ep=NAME answered 2.04.
        server.routes.mount("/bs") { inbound in
            seen.withLock { $0.append(inbound.request.uriQuery.joined(separator: "&")) }
            return CoAPResponse(code: .changed)
        }
        #expect(Set(server.routes.mountedPaths) == ["/rd", "/dp", "/bs"])
        try server.start()
        let running = Task { try await server.run() }
        defer { running.cancel() }
        let client = CoAPEndpoint(configuration: .init(), logger: logger) { _ in nil }
        try client.start()
        defer { client.stop() }
        let session = try await client.connect(host: "127.0.0.1", port: server.boundPort ?? 0)

        let bootstrap = try await client.send(CoAPRequest(method: .post, uriPath: ["bs"], uriQuery: ["ep=routed-1"]), on: session)
        #expect(bootstrap.code == .changed)
        #expect(seen.withLock { $0 } == ["ep=routed-1"])
        let register = try await client.send(
            CoAPRequest(method: .post, uriPath: ["rd"], uriQuery: ["ep=routed-1", "lt=60", "lwm2m=1.1"],
                        contentFormat: 40, payload: Array("</3/0>".utf8)),
            on: session)
        #expect(register.code == .created)
        #expect(server.registration(endpoint: "routed-1") != nil)
        let unknown = try await client.send(CoAPRequest(method: .get, uriPath: ["nothing"]), on: session)
        #expect(unknown.code == .notFound)
    }
}
