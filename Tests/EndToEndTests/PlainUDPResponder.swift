import Foundation
import Synchronization

/// A plain-UDP socket on a fixed loopback port that answers every confirmable CoAP request with a piggybacked
/// `2.05 Content` (text payload `answer`), as an attacker on a device's old address would (RFC 7252 §5.2.1).
/// It counts what it receives, so a test can tell that nothing was sent to it.
final class PlainUDPResponder: Sendable {
    let port: UInt16
    private let fd: Int32
    private final class Flags: Sendable {
        let received = Mutex(0)
        let stopped = Mutex(false)
    }
    private let flags = Flags()

    init(port: UInt16, answer: String) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw E2EError("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            Glibc.close(fd)
            throw E2EError("cannot bind UDP 127.0.0.1:\(port): errno \(errno)")
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.port = port
        self.fd = fd
        let flags = flags
        let reply = Array(answer.utf8)
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 2048)
            while !flags.stopped.withLock({ $0 }) {
                var peer = sockaddr_in()
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                let count = withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buffer, buffer.count, 0, $0, &length) }
                }
                guard count >= 4 else { continue }
                flags.received.withLock { $0 += 1 }
                let tokenLength = Int(buffer[0] & 0x0F)
                guard buffer[0] >> 4 & 0x3 == 0, count >= 4 + tokenLength else { continue }  // CON only
                // ACK, same token and message id, 2.05, Content-Format 0 (text/plain), payload.
                var answer: [UInt8] = [0x60 | UInt8(tokenLength), 0x45, buffer[2], buffer[3]]
                answer += buffer[4..<(4 + tokenLength)]
                answer += [0xC0, 0xFF] + reply
                _ = withUnsafePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, answer, answer.count, 0, $0, length) }
                }
            }
        }
        thread.start()
    }

    /// The datagrams received so far.
    var datagrams: Int { flags.received.withLock { $0 } }

    /// Stops answering and closes the socket (waits for the reader to notice).
    func close() {
        flags.stopped.withLock { $0 = true }
        usleep(250_000)
        Foundation.close(fd)
    }
}
