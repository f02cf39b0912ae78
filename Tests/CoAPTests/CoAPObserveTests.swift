import Foundation
import Logging
import Synchronization
import Testing

@testable import CoAP

/// RFC 7641 over real sockets: the server observes a device, the device notifies, unknown tokens are reset.
@Suite(.serialized)
struct CoAPObserveTests {
    final class Box<Value: Sendable>: Sendable {
        let value: Mutex<Value>
        init(_ initial: Value) { value = Mutex(initial) }
        func get() -> Value { value.withLock { $0 } }
        func update(_ body: @Sendable (inout Value) -> Void) { value.withLock { body(&$0) } }
    }

    @Test func notificationsReachTheObserverAndUnknownTokensAreReset() async throws {
        let logger = Logger(label: "observe-test")
        let wanted = Box<[UInt8]>([])
        let received = Box<[CoAPUnsolicitedResponse]>([])
        let deviceOnServer = Box<CoAPSessionID?>(nil)
        let server = CoAPEndpoint(
            configuration: .init(bindHost: "127.0.0.1", bindPort: 0), logger: logger,
            requestHandler: { inbound in
                deviceOnServer.update { $0 = inbound.session }
                return CoAPResponse(code: .created)
            },
            unsolicitedResponseHandler: { notification in
                guard notification.token == wanted.get() else { return false }
                received.update { $0.append(notification) }
                return true
            })
        try server.start()
        defer { server.stop() }

        let observer = Box<(CoAPSessionID, [UInt8])?>(nil)
        let resets = Box<[[UInt8]]>([])
        let device = CoAPEndpoint(
            configuration: .init(), logger: logger,
            requestHandler: { inbound in
                if inbound.request.observe == 0 {
                    observer.update { $0 = (inbound.session, inbound.token) }
                    return CoAPResponse(code: .content, contentFormat: 0, payload: Array("20".utf8), observe: 1)
                }
                return CoAPResponse(code: .content, contentFormat: 0, payload: Array("pong".utf8))
            },
            resetHandler: { _, token in resets.update { $0.append(token) } })
        try device.start()
        defer { device.stop() }
        let deviceSession = try await device.connect(host: "127.0.0.1", port: try #require(server.boundPort))
        _ = try await device.send(CoAPRequest(method: .post, uriPath: ["rd"]), on: deviceSession)
        let serverSession = try #require(deviceOnServer.get())

        let token = CoAPEndpoint.newToken()
        wanted.update { $0 = token }
        let first = try await server.send(
            CoAPRequest(method: .get, uriPath: ["3303", "0", "5700"], observe: 0), on: serverSession, token: token)
        #expect(first.code == .content)
        #expect(first.observe == 1)
        #expect(first.payloadText == "20")
        let (session, observedToken) = try #require(observer.get())
        #expect(observedToken == token)

        for (sequence, value) in [(2, "21"), (3, "22"), (4, "23")] {
            try await device.sendNotification(
                CoAPResponse(code: .content, contentFormat: 0, payload: Array(value.utf8), observe: UInt32(sequence)),
                token: observedToken, on: session, confirmable: sequence % 2 == 0)
        }
        try await eventually { received.get().count == 3 }
        #expect(received.get().map(\.response.payloadText) == ["21", "22", "23"])
        #expect(received.get().map(\.response.observe) == [2, 3, 4])
        #expect(received.get().allSatisfy { $0.token == token })

        // The server forgets the observation: the next (confirmable) notification is reset.
        wanted.update { $0 = [] }
        try await device.sendNotification(
            CoAPResponse(code: .content, contentFormat: 0, payload: Array("24".utf8), observe: 5),
            token: observedToken, on: session, confirmable: true)
        try await eventually { resets.get() == [observedToken] }
        #expect(received.get().count == 3)
    }

    func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(condition())
    }
}
