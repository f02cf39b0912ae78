import Foundation

@testable import CoAP

/// A device on a plain socket: one request of its own, then it answers what the server sends.
final class RawCoAPDevice: @unchecked Sendable {
    let fd: Int32
    var server = sockaddr_in()

    init(serverPort: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
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


extension RawCoAPDevice {
    /// A confirmable POST to `path` carrying one Block1 block (RFC 7959 §2.2) and, when given, Size1.
    func postBlock(path: String, mid: UInt16, token: [UInt8], number: Int, more: Bool, szx: Int, payload: [UInt8],
                   size1: Int? = nil) {
        var datagram: [UInt8] = [0x40 | UInt8(token.count), 0x02, UInt8(mid >> 8), UInt8(mid & 0xFF)] + token
        let pathBytes = Array(path.utf8)
        datagram += [0xB0 | UInt8(pathBytes.count)] + pathBytes  // Uri-Path (11)
        let block = UInt32(number) << 4 | (more ? 0x8 : 0) | UInt32(szx)
        let value: [UInt8] = block > 0xFF ? [UInt8(block >> 8), UInt8(block & 0xFF)] : (block == 0 ? [] : [UInt8(block)])
        datagram += [0xD0 | UInt8(value.count), 27 - 11 - 13] + value  // Block1 (27), delta 16 = 13 + 3
        if let size1 {
            let sizeValue: [UInt8] = [UInt8(size1 >> 8 & 0xFF), UInt8(size1 & 0xFF)]
            datagram += [0xD0 | UInt8(sizeValue.count), 60 - 27 - 13] + sizeValue  // Size1 (60), delta 33
        }
        send(datagram + [0xFF] + payload)
    }
}

extension RawCoAPDevice {
    /// `receive()` on a thread of its own: a blocking `recv` on the test's task would hold one of the few
    /// cooperative threads (two on a 2-core machine) that the server side and other tests need meanwhile.
    func next() async throws -> (type: UInt8, code: UInt8, mid: [UInt8], token: [UInt8], options: [(Int, [UInt8])]) {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try self.receive() }) }
            thread.start()
        }
    }
}
