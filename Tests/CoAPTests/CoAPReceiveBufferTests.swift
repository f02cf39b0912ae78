import Foundation
import Logging
import Synchronization
import Testing

@testable import CoAP

/// A burst of datagrams arriving while the I/O thread is busy waits in the socket's receive buffer: with the
/// kernel's default buffer most of a burst is dropped silently, with a buffer sized for bursts none is, and the
/// kernel's drop counter (read from /proc/net/udp) shows which happened.
@Suite(.serialized)
struct CoAPReceiveBufferTests {
    /// Sends `count` non-confirmable POSTs to `port` while the endpoint's I/O thread is held busy; returns how many
    /// requests the handler saw and the socket's drop counter afterwards.
    func burst(receiveBuffer: Int?, count: Int) async throws -> (handled: Int, drops: UInt64) {
        let handled = Mutex(0)
        let server = CoAPEndpoint(
            configuration: .init(bindHost: "127.0.0.1", bindPort: 0, receiveBufferBytes: receiveBuffer),
            logger: Logger(label: "burst-test"),
            requestHandler: { _ in
                handled.withLock { $0 += 1 }
                return CoAPResponse(code: .changed)
            })
        try server.start()
        defer { server.stop() }
        let port = try #require(server.boundPort)
        // Hold the I/O thread (a command runs on it) while the burst arrives.
        let release = DispatchSemaphore(value: 0)
        let holding = DispatchSemaphore(value: 0)
        _ = server.loopForTesting.submit { _ in
            holding.signal()
            release.wait()
        }
        holding.wait()
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        for index in 0..<count {
            // NON POST /b with a 2-byte message id and a 32-byte payload.
            let datagram: [UInt8] = [0x50, 0x02, UInt8(index >> 8 & 0xFF), UInt8(index & 0xFF), 0xB1, 0x62, 0xFF]
                + [UInt8](repeating: 0x41, count: 32)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, datagram, datagram.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        release.signal()
        // Bounded wait for the backlog to be handled: until all arrived, or nothing more came for half a second.
        let deadline = ContinuousClock.now + .seconds(10)
        var seen = -1
        while handled.withLock({ $0 }) < count, ContinuousClock.now < deadline, seen != handled.withLock({ $0 }) {
            seen = handled.withLock { $0 }
            try await Task.sleep(for: .milliseconds(500))
        }
        let drops = server.socketStatistics().first { $0.socket == "coap" }?.drops ?? 0
        return (handled.withLock { $0 }, drops)
    }

    @Test func aBurstFitsABufferSizedForBursts() async throws {
        let result = try await burst(receiveBuffer: 8 << 20, count: 3_000)
        #expect(result.handled == 3_000)
        #expect(result.drops == 0)
    }

    @Test func aSmallBufferLosesMostOfTheBurst() async throws {
        let result = try await burst(receiveBuffer: 16_384, count: 3_000)
        #expect(result.handled < 3_000)
    }
}
