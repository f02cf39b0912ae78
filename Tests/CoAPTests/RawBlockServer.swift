import Foundation
import Synchronization

/// A CoAP server on a plain UDP socket that follows RFC 7959 to the letter, independent of libcoap: `GET /big`
/// serves `body` block by block (Block2, ETag and Size2 on every block), `PUT /upload` takes Block1 blocks
/// (2.31 Continue, then 2.04 Changed), refusing blocks larger than `maxBlock1SZX` with 4.13 and a Block1 option
/// with the size it wants (§2.9.3). It records every request it gets.
final class RawBlockServer: @unchecked Sendable {
    /// One request as it arrived.
    struct Seen: Sendable, Equatable {
        var code: UInt8
        var path: String
        var block1: UInt32?
        var block2: UInt32?
        var size1: Int?
        var payloadCount: Int
    }

    let body: [UInt8]
    let etag: [UInt8] = [0xE7, 0x4A, 0x01, 0x9C]
    let maxBlock1SZX: UInt32
    let port: UInt16
    private let fd: Int32
    private let stopped = Mutex(false)
    private let seenBox = Mutex<[Seen]>([])
    private let uploadBox = Mutex<[UInt8]>([])
    private let finished = DispatchSemaphore(value: 0)

    /// Binds 127.0.0.1 on a free port and starts answering on a thread of its own.
    init(body: [UInt8], maxBlock1SZX: UInt32 = 6) {
        self.body = body
        self.maxBlock1SZX = maxBlock1SZX
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                precondition(bind(fd, $0, length) == 0, "bind failed")
                getsockname(fd, $0, &length)
            }
        }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Stops the thread and closes the socket.
    func stop() {
        stopped.withLock { $0 = true }
        finished.wait()
        close(fd)
    }

    /// Every request received so far.
    var seen: [Seen] { seenBox.withLock { $0 } }

    /// The bytes `PUT /upload` stored so far.
    var uploaded: [UInt8] { uploadBox.withLock { $0 } }

    private func serve() {
        var buffer = [UInt8](repeating: 0, count: 2048)
        while !stopped.withLock({ $0 }) {
            var peer = sockaddr_storage()
            var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buffer, buffer.count, 0, $0, &peerLength) }
            }
            guard count >= 4, let reply = answer(Array(buffer[0..<count])) else { continue }
            _ = withUnsafePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, reply, reply.count, 0, $0, peerLength) }
            }
        }
        finished.signal()
    }

    /// The reply to one datagram (RFC 7252 §3 framing), `nil` for what is not a request.
    private func answer(_ bytes: [UInt8]) -> [UInt8]? {
        let type = bytes[0] >> 4 & 0x3, tokenLength = Int(bytes[0] & 0x0F), code = bytes[1]
        guard code >= 1, code <= 31, bytes.count >= 4 + tokenLength else { return nil }
        let mid = Array(bytes[2...3]), token = Array(bytes[4..<(4 + tokenLength)])
        var options: [(Int, [UInt8])] = []
        var index = 4 + tokenLength, number = 0
        while index < bytes.count, bytes[index] != 0xFF {
            var delta = Int(bytes[index] >> 4), length = Int(bytes[index] & 0x0F)
            index += 1
            if delta == 13 { delta = Int(bytes[index]) + 13; index += 1 } else if delta == 14 {
                delta = Int(bytes[index]) << 8 + Int(bytes[index + 1]) + 269; index += 2
            }
            if length == 13 { length = Int(bytes[index]) + 13; index += 1 }
            number += delta
            options.append((number, Array(bytes[index..<(index + length)])))
            index += length
        }
        let payload = index < bytes.count ? Array(bytes[(index + 1)...]) : []
        func uint(_ n: Int) -> UInt32? {
            options.first { $0.0 == n }.map { $0.1.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
        }
        let path = options.filter { $0.0 == 11 }.map { String(decoding: $0.1, as: UTF8.self) }.joined(separator: "/")
        let block1 = uint(27), block2 = uint(23)
        seenBox.withLock {
            $0.append(Seen(code: code, path: path, block1: block1, block2: block2, size1: uint(60).map(Int.init),
                           payloadCount: payload.count))
        }
        // A piggybacked answer to a CON, a NON to a NON (RFC 7252 §5.2).
        let replyType: UInt8 = type == 0 ? 2 : 1
        var reply: [UInt8] = [0x40 | replyType << 4 | UInt8(tokenLength), 0] + mid + token
        var replyOptions: [(Int, [UInt8])] = []
        var replyPayload: [UInt8] = []
        switch (code, path) {
        case (1, "big"):
            let requested = block2 ?? 6  // no Block2: block 0, in the server's preferred size
            let szx = min(requested & 0x7, 6), size = 16 << Int(szx), num = Int(requested >> 4)
            guard num * size < body.count else {
                reply[1] = 0x82  // 4.02 Bad Option: no such block
                return reply
            }
            let end = min(body.count, (num + 1) * size)
            let more: UInt32 = end < body.count ? 0x8 : 0
            reply[1] = 0x45
            replyOptions = [(4, etag), (23, Self.encode(UInt32(num) << 4 | more | szx)), (28, Self.encode(UInt32(body.count)))]
            replyPayload = Array(body[(num * size)..<end])
        case (3, "upload"):
            guard let block1 else {
                uploadBox.withLock { $0 = payload }
                reply[1] = 0x44
                return reply
            }
            let szx = block1 & 0x7, num = Int(block1 >> 4), more = block1 & 0x8 != 0
            if szx > maxBlock1SZX {
                // RFC 7959 §2.9.3: 4.13 with a Block1 option giving the largest size the server takes.
                reply[1] = 0x8D
                replyOptions = [(27, Self.encode(maxBlock1SZX)), (60, Self.encode(1 << 20))]
                break
            }
            let size = 16 << Int(szx)
            uploadBox.withLock { stored in
                if num == 0 { stored = [] }
                if stored.count < num * size + payload.count {
                    stored += [UInt8](repeating: 0, count: num * size + payload.count - stored.count)
                }
                stored.replaceSubrange((num * size)..<(num * size + payload.count), with: payload)
            }
            reply[1] = more ? 0x5F : 0x44  // 2.31 Continue, or 2.04 Changed for the last block
            replyOptions = [(27, Self.encode(block1))]
        default:
            reply[1] = 0x84  // 4.04
            return reply
        }
        var last = 0
        for (number, value) in replyOptions {
            let delta = number - last
            last = number
            let deltaNibble: UInt8 = delta < 13 ? UInt8(delta) : 13
            reply.append(deltaNibble << 4 | UInt8(value.count))
            if delta >= 13 { reply.append(UInt8(delta - 13)) }
            reply += value
        }
        if !replyPayload.isEmpty { reply += [0xFF] + replyPayload }
        return reply
    }

    /// A CoAP uint in its shortest form (RFC 7252 §3.2).
    static func encode(_ value: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return bytes
    }
}
