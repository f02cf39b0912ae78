import Foundation
import Testing

/// Issue 9, fault 11: a Register (or Update) payload is limited in size and in links, so one unauthenticated
/// block-wise POST cannot make the server hold and list megabytes of links. Driven with libcoap's coap-client,
/// which sends payloads larger than a datagram block-wise (RFC 7959).
@Suite(.serialized)
struct RegisterLimitsEndToEndTests {
    /// `count` links `</n/0>` for n = 1000…, and the payload's size.
    static func links(_ count: Int) -> String {
        (0..<count).map { "</\(1000 + $0)/0>" }.joined(separator: ",")
    }

    static func post(_ server: ServerProcess, path: String, payload: String) async throws -> CoAPClientTool.Result {
        let file = server.dataDir.appendingPathComponent("payload-\(UUID().uuidString).txt")
        try Data(payload.utf8).write(to: file)
        return try await CoAPClientTool.run(["-m", "post", "-t", "40", "-f", file.path, "\(server.coapURL)/\(path)"])
    }

    @Test func linksAtTheLimitAreAcceptedAndBeyondItRefused() async throws {
        let server = ServerProcess()
        try await server.start(extraArguments: ["--max-register-links", "100", "--max-register-payload", "4096"])
        defer { Task { await server.stop() } }

        let atLimit = try await Self.post(server, path: "rd?ep=limit-ok&lt=300", payload: Self.links(100))
        #expect(atLimit.code == "2.01", "\(atLimit.output)")
        try await server.eventually("registration stored") { try await server.endpoint("limit-ok") != nil }
        #expect((try await server.endpoint("limit-ok")?["objectLinks"] as? [String])?.count == 100)

        let tooMany = try await Self.post(server, path: "rd?ep=limit-links&lt=300", payload: Self.links(101))
        #expect(tooMany.code == "4.13", "\(tooMany.output)")
        // 4096 bytes exactly is taken (padded with a link-extension attribute), one more byte is not.
        let base = Self.links(10)
        let padded = base + ";x=\"" + String(repeating: "a", count: 4096 - base.utf8.count - 5) + "\""
        #expect(padded.utf8.count == 4096)
        let atSize = try await Self.post(server, path: "rd?ep=limit-size-ok&lt=300", payload: padded)
        #expect(atSize.code == "2.01", "\(atSize.output)")
        let tooBig = try await Self.post(server, path: "rd?ep=limit-size&lt=300", payload: padded + " ")
        #expect(tooBig.code == "4.13", "\(tooBig.output)")

        // An Update with too many links is refused too, and leaves the registration as it was.
        let location = atLimit.locationPath.joined(separator: "/")
        let update = try await Self.post(server, path: location, payload: Self.links(101))
        #expect(update.code == "4.13", "\(update.output)")
        #expect((try await server.endpoint("limit-ok")?["objectLinks"] as? [String])?.count == 100)

        #expect(try await server.endpoint("limit-links") == nil)
        #expect(try await server.endpoint("limit-size") == nil)
        #expect(server.log.contains("object links exceed the limit of 100"))
        #expect(server.log.contains("exceeds the limit of 4096"))
        #expect(server.isRunning)
    }

    @Test func anEmptyRegisterIsAcceptedWithAWarning() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let empty = try await CoAPClientTool.run(["-m", "post", "-t", "40", "\(server.coapURL)/rd?ep=no-links&lt=300"])
        #expect(empty.code == "2.01", "\(empty.output)")
        try await server.eventually("registration stored") { try await server.endpoint("no-links") != nil }
        #expect(server.log.contains("registered without object links"))
    }
}
