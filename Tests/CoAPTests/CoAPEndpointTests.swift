import Foundation
import Logging
import Synchronization
import Testing

@testable import CoAP

/// Real libcoap sockets on loopback: a listening endpoint and a client-only endpoint talking both ways.
@Suite(.serialized)
struct CoAPEndpointTests {
    let logger = Logger(label: "coap-test")

    /// A listening endpoint on a free loopback port that echoes what it received and remembers sessions.
    final class Server: Sendable {
        let endpoint: CoAPEndpoint
        let sessionBox: SessionBox

        final class SessionBox: Sendable {
            let value = Mutex<CoAPSessionID?>(nil)
            func withLock<T: Sendable>(_ body: (inout CoAPSessionID?) -> T) -> T { value.withLock { body(&$0) } }
        }

        let peerBox: PeerBox

        final class PeerBox: Sendable {
            let value = Mutex<String?>(nil)
            func withLock<T: Sendable>(_ body: (inout String?) -> T) -> T { value.withLock { body(&$0) } }
        }

        init(logger: Logger) throws {
            let sessionBox = SessionBox()
            let peerBox = PeerBox()
            self.sessionBox = sessionBox
            self.peerBox = peerBox
            endpoint = CoAPEndpoint(
                configuration: .init(bindHost: "127.0.0.1", bindPort: 0), logger: logger
            ) { inbound in
                sessionBox.withLock { $0 = inbound.session }
                peerBox.withLock { $0 = inbound.peerAddress }
                let r = inbound.request
                if r.path == "/echo" {
                    let text = "\(r.method) \(r.path)?\(r.uriQuery.joined(separator: "&")) cf=\(r.contentFormat.map(String.init) ?? "-")"
                    return CoAPResponse(
                        code: .content, contentFormat: 0, payload: Array(text.utf8) + r.payload,
                        locationPath: ["rd", "x1"])
                }
                if r.path == "/big" {
                    return CoAPResponse(code: .content, contentFormat: 42, payload: (0..<5000).map { UInt8($0 % 251) })
                }
                return .error(.notFound, "no such resource")
            }
            try endpoint.start()
        }
        var port: UInt16 { endpoint.boundPort ?? 0 }
    }

    @Test func requestAndResponseOverRealSockets() async throws {
        let server = try Server(logger: logger)
        defer { server.endpoint.stop() }
        #expect(server.port > 0)

        let client = CoAPEndpoint(configuration: .init(), logger: logger) { _ in .error(.notFound, "") }
        try client.start()
        defer { client.stop() }
        let session = try await client.connect(host: "127.0.0.1", port: server.port)

        let response = try await client.send(
            CoAPRequest(method: .post, uriPath: ["echo"], uriQuery: ["ep=a", "lt=5"], contentFormat: 40,
                        payload: Array("</1/0>".utf8)),
            on: session)
        #expect(response.code == .content)
        #expect(response.contentFormat == 0)
        #expect(response.locationPath == ["rd", "x1"])
        #expect(response.payloadText == "POST /echo?ep=a&lt=5 cf=40</1/0>")

        let missing = try await client.send(CoAPRequest(method: .get, uriPath: ["nothing"]), on: session)
        #expect(missing.code == .notFound)
        #expect(missing.payloadText == "no such resource")
    }

    @Test func blockwiseInBothDirections() async throws {
        let server = try Server(logger: logger)
        defer { server.endpoint.stop() }
        let client = CoAPEndpoint(configuration: .init(), logger: logger) { _ in .error(.notFound, "") }
        try client.start()
        defer { client.stop() }
        let session = try await client.connect(host: "127.0.0.1", port: server.port)

        let big = try await client.send(CoAPRequest(method: .get, uriPath: ["big"]), on: session)
        #expect(big.code == .content)
        #expect(big.payload.count == 5000)
        #expect(big.payload == (0..<5000).map { UInt8($0 % 251) })

        let upload = [UInt8](repeating: 0x41, count: 3000)
        let echoed = try await client.send(
            CoAPRequest(method: .put, uriPath: ["echo"], contentFormat: 42, payload: upload), on: session)
        #expect(echoed.code == .content)
        #expect(echoed.payload.suffix(3000) == upload[...])
    }

    @Test func serverSendsRequestBackOverTheClientsSession() async throws {
        let server = try Server(logger: logger)
        defer { server.endpoint.stop() }
        // The "device": a client-only endpoint that also answers requests arriving on its session.
        let device = CoAPEndpoint(configuration: .init(), logger: logger) { inbound in
            if inbound.request.method == .get, inbound.request.path == "/3/0/0" {
                return CoAPResponse(code: .content, contentFormat: 0, payload: Array("ACME".utf8))
            }
            return .error(.notFound, "")
        }
        try device.start()
        defer { device.stop() }
        let session = try await device.connect(host: "127.0.0.1", port: server.port)
        _ = try await device.send(CoAPRequest(method: .post, uriPath: ["echo"]), on: session)
        let serverSide = try #require(server.sessionBox.withLock { $0 })
        server.endpoint.retain(serverSide)

        let read = try await server.endpoint.send(CoAPRequest(method: .get, uriPath: ["3", "0", "0"]), on: serverSide)
        #expect(read.code == .content)
        #expect(read.payloadText == "ACME")
        let unknown = try await server.endpoint.send(CoAPRequest(method: .get, uriPath: ["9"]), on: serverSide)
        #expect(unknown.code == .notFound)
        server.endpoint.release(serverSide)
    }

    @Test func serverReachesAPeerFromItsListeningPortWithoutAPriorSession() async throws {
        let server = try Server(logger: logger)
        defer { server.endpoint.stop() }
        let seen = Server.SessionBox()
        let device = CoAPEndpoint(configuration: .init(), logger: logger) { inbound in
            seen.withLock { $0 = inbound.session }
            return CoAPResponse(code: .content, contentFormat: 0, payload: Array("pong".utf8))
        }
        try device.start()
        defer { device.stop() }
        // The device's socket is connected to the server's port: only datagrams from that port reach it.
        let deviceSession = try await device.connect(host: "127.0.0.1", port: server.port)
        _ = try await device.send(CoAPRequest(method: .post, uriPath: ["echo"]), on: deviceSession)
        // As after a restart: the server knows only the device's address, not a session.
        let peer = try #require(server.peerBox.withLock { $0 })
        let parts = peer.split(separator: ":")
        let fresh = try await server.endpoint.connectFromListeningPort(host: String(parts[0]), port: UInt16(parts[1])!)
        let answer = try await server.endpoint.send(CoAPRequest(method: .get, uriPath: ["ping"]), on: fresh)
        #expect(answer.code == .content)
        #expect(answer.payloadText == "pong")
        #expect(seen.withLock { $0 } == deviceSession)  // it arrived on the device's existing session
    }

    @Test func aHandlerReturningNilLeavesTheRequestUnansweredSoThePeerRetransmits() async throws {
        // The first transmission is ignored: no response, no empty ACK, no Reset. The client's libcoap
        // retransmits the confirmable request after ACK_TIMEOUT (2-3 s) and that one is answered. An empty ACK
        // would have stopped the retransmission and the request would time out instead.
        let heard = Mutex(0)
        let deaf = CoAPEndpoint(configuration: .init(bindHost: "127.0.0.1", bindPort: 0), logger: logger) { _ in
            heard.withLock { $0 += 1; return $0 } == 1 ? nil : CoAPResponse(code: .content, payload: Array("awake".utf8))
        }
        try deaf.start()
        defer { deaf.stop() }
        let client = CoAPEndpoint(configuration: .init(), logger: logger) { _ in .error(.notFound, "") }
        try client.start()
        defer { client.stop() }
        let session = try await client.connect(host: "127.0.0.1", port: deaf.boundPort ?? 0)
        let started = ContinuousClock.now
        let response = try await client.send(CoAPRequest(method: .get, uriPath: ["x"]), on: session, timeout: .seconds(10))
        #expect(response.payloadText == "awake")
        #expect(ContinuousClock.now - started >= .seconds(1.5))
        #expect(heard.withLock { $0 } == 2)
    }

    @Test func timeoutAndClosedSessionAreErrors() async throws {
        // A peer that never answers: a bound UDP socket nobody reads.
        let silent = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(silent, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(silent, $0, &length) }
        }
        let port = UInt16(bigEndian: address.sin_port)

        let client = CoAPEndpoint(configuration: .init(), logger: logger) { _ in .error(.notFound, "") }
        try client.start()
        let session = try await client.connect(host: "127.0.0.1", port: port)
        let started = ContinuousClock.now
        await #expect(throws: CoAPError.self) {
            _ = try await client.send(CoAPRequest(method: .get, uriPath: ["x"]), on: session, timeout: .milliseconds(300))
        }
        #expect(ContinuousClock.now - started < .seconds(3))
        do {
            _ = try await client.send(CoAPRequest(method: .get), on: CoAPSessionID(rawValue: 999_999))
            Issue.record("expected sessionGone")
        } catch let error as CoAPError {
            #expect(error.kind == .sessionGone)
        }
        client.stop()
        do {
            _ = try await client.send(CoAPRequest(method: .get), on: session)
            Issue.record("expected notRunning")
        } catch let error as CoAPError {
            #expect(error.kind == .notRunning)
        }
    }
}
