import Foundation
import Logging
import Synchronization
import Testing

@testable import CoAP

/// RFC 7641 §3.6: a cancel (GET or FETCH with Observe=1) carries the observation's token, because a device matches
/// it by token. The device here is a raw UDP socket that parses CoAP by hand, so libcoap's own client-side
/// token handling cannot hide a wrong token (libcoap 4.3.1 gave a hand-built cancel a token of its own).
@Suite(.serialized)
struct CoAPObserveCancelTests {
    @Test(arguments: [false, true])
    func theCancelCarriesTheObservationsToken(composite: Bool) async throws {
        let deviceSession = Mutex<CoAPSessionID?>(nil)
        let server = CoAPEndpoint(
            configuration: .init(bindHost: "127.0.0.1", bindPort: 0), logger: Logger(label: "cancel-test"),
            requestHandler: { inbound in
                deviceSession.withLock { $0 = inbound.session }
                return CoAPResponse(code: .created)
            },
            unsolicitedResponseHandler: { _ in true })
        try server.start()
        defer { server.stop() }
        let device = try RawCoAPDevice(serverPort: try #require(server.boundPort))
        device.send([0x40, 0x02, 0x12, 0x34, 0xB2] + Array("rd".utf8))  // CON POST /rd, no token
        #expect(try await device.next().code == 0x41)  // 2.01
        let session = try #require(deviceSession.withLock { $0 })

        let token = CoAPEndpoint.newToken()
        let method: CoAPMethod = composite ? .fetch : .get
        let payload = composite ? Array(#"[{"n":"/3303/0/5700"}]"#.utf8) : []
        let path = composite ? [] : ["3303", "0", "5700"]
        func request(observe: UInt32) -> CoAPRequest {
            CoAPRequest(method: method, uriPath: path, contentFormat: composite ? 110 : nil, observe: observe,
                        payload: payload)
        }
        async let observed = server.send(request(observe: 0), on: session, timeout: .seconds(30), token: token)
        let register = try await device.next()
        #expect(register.token == token)
        #expect(register.options.contains { $0.0 == 6 && $0.1.isEmpty })  // Observe: 0
        device.answer(mid: register.mid, token: register.token, observe: 7)
        #expect(try await observed.observe == 7)

        async let cancelled = server.send(request(observe: 1), on: session, timeout: .seconds(30), token: token)
        let cancel = try await device.next()
        #expect(cancel.code == (composite ? 0x05 : 0x01))
        #expect(cancel.options.contains { $0.0 == 6 && $0.1 == [1] })  // Observe: 1
        #expect(cancel.token == token, "the cancel must carry the observation's token \(token.hexString), not \(cancel.token.hexString)")
        device.answer(mid: cancel.mid, token: cancel.token, observe: nil)
        #expect(try await cancelled.code == .content)
    }
}
