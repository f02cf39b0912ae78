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
    /// A device on a plain socket: one request of its own, then it answers what the server sends.
    final class RawDevice: @unchecked Sendable {
        let fd: Int32
        var server = sockaddr_in()

        init(serverPort: UInt16) throws {
            fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            server.sin_family = sa_family_t(AF_INET)
            server.sin_port = serverPort.bigEndian
            server.sin_addr.s_addr = inet_addr("127.0.0.1")
        }

        deinit { close(fd) }

        func send(_ bytes: [UInt8]) {
            _ = withUnsafePointer(to: &server) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }

        /// The next datagram, split into type, code, message id, token and (number, value) options.
        func receive() throws -> (type: UInt8, code: UInt8, mid: [UInt8], token: [UInt8], options: [(Int, [UInt8])]) {
            var buffer = [UInt8](repeating: 0, count: 2048)
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count >= 4 else { throw CoAPError(.timeout, "the device got nothing") }
            let bytes = Array(buffer[0..<count])
            let tokenLength = Int(bytes[0] & 0x0F)
            var options: [(Int, [UInt8])] = []
            var index = 4 + tokenLength
            var number = 0
            while index < bytes.count, bytes[index] != 0xFF {
                var delta = Int(bytes[index] >> 4), length = Int(bytes[index] & 0x0F)
                index += 1
                if delta == 13 { delta = Int(bytes[index]) + 13; index += 1 }
                if length == 13 { length = Int(bytes[index]) + 13; index += 1 }
                number += delta
                options.append((number, Array(bytes[index..<(index + length)])))
                index += length
            }
            return (bytes[0] >> 4 & 0x3, bytes[1], Array(bytes[2...3]), Array(bytes[4..<(4 + tokenLength)]), options)
        }

        /// A piggybacked 2.05 with an Observe option (when given) and a text payload.
        func answer(mid: [UInt8], token: [UInt8], observe: UInt8?) {
            var reply: [UInt8] = [0x60 | UInt8(token.count), 0x45] + mid + token
            if let observe { reply += [0x61, observe, 0x60] } else { reply += [0xC0] }  // Observe(6), Content-Format(12)=0
            send(reply + [0xFF] + Array("21.5".utf8))
        }
    }

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
        let device = try RawDevice(serverPort: try #require(server.boundPort))
        device.send([0x40, 0x02, 0x12, 0x34, 0xB2] + Array("rd".utf8))  // CON POST /rd, no token
        #expect(try device.receive().code == 0x41)  // 2.01
        let session = try #require(deviceSession.withLock { $0 })

        let token = CoAPEndpoint.newToken()
        let method: CoAPMethod = composite ? .fetch : .get
        let payload = composite ? Array(#"[{"n":"/3303/0/5700"}]"#.utf8) : []
        let path = composite ? [] : ["3303", "0", "5700"]
        func request(observe: UInt32) -> CoAPRequest {
            CoAPRequest(method: method, uriPath: path, contentFormat: composite ? 110 : nil, observe: observe,
                        payload: payload)
        }
        async let observed = server.send(request(observe: 0), on: session, timeout: .seconds(5), token: token)
        let register = try device.receive()
        #expect(register.token == token)
        #expect(register.options.contains { $0.0 == 6 && $0.1.isEmpty })  // Observe: 0
        device.answer(mid: register.mid, token: register.token, observe: 7)
        #expect(try await observed.observe == 7)

        async let cancelled = server.send(request(observe: 1), on: session, timeout: .seconds(5), token: token)
        let cancel = try device.receive()
        #expect(cancel.code == (composite ? 0x05 : 0x01))
        #expect(cancel.options.contains { $0.0 == 6 && $0.1 == [1] })  // Observe: 1
        #expect(cancel.token == token, "the cancel must carry the observation's token \(token.hexString), not \(cancel.token.hexString)")
        device.answer(mid: cancel.mid, token: cancel.token, observe: nil)
        #expect(try await cancelled.code == .content)
    }
}
