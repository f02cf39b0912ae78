import Foundation

/// A minimal RFC 6455 client over a blocking TCP socket, enough to read a server's text frames in tests.
final class WebSocketProbe: @unchecked Sendable {
    private let fd: Int32
    /// The close frame's status code and reason, once `nextText` met one (RFC 6455 §5.5.1).
    private(set) var closeCode: UInt16?
    private(set) var closeReason: String?

    /// Connects and performs the opening handshake; throws when the server does not switch protocols.
    init(port: UInt16, path: String, token: String) throws {
        fd = try connectLoopback(port: port, receiveTimeout: 10, what: "websocket")
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Authorization: Bearer \(token)\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var head: [UInt8] = []
        while !head.suffix(4).elementsEqual([13, 10, 13, 10]) {
            guard let byte = readBytes(1)?.first else { throw E2EError("websocket: no handshake answer") }
            head.append(byte)
        }
        let status = String(decoding: head, as: UTF8.self)
        guard status.hasPrefix("HTTP/1.1 101") else { throw E2EError("websocket: \(status)") }
    }

    deinit { close(fd) }

    /// Reads the next text message (server frames are unmasked); `nil` on close or timeout.
    func nextText() -> String? {
        while true {
            guard let header = readBytes(2) else { return nil }
            let opcode = header[0] & 0x0F
            var length = Int(header[1] & 0x7F)
            if length == 126 {
                guard let extended = readBytes(2) else { return nil }
                length = Int(extended[0]) << 8 | Int(extended[1])
            } else if length == 127 {
                guard let extended = readBytes(8) else { return nil }
                length = extended.reduce(0) { $0 << 8 | Int($1) }
            }
            guard let payload = length == 0 ? [] : readBytes(length) else { return nil }
            switch opcode {
            case 0x1: return String(decoding: payload, as: UTF8.self)
            case 0x8:
                closeCode = payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil
                closeReason = String(decoding: payload.dropFirst(2), as: UTF8.self)
                return nil
            default: continue  // ping, pong, binary: skip
            }
        }
    }

    private func readBytes(_ count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            if n <= 0 { return nil }
            got += n
        }
        return buffer
    }
}

/// A TCP socket connected to 127.0.0.1:`port`, whose reads give up after `receiveTimeout` seconds.
func connectLoopback(port: UInt16, receiveTimeout: Int, what: String) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    guard connected == 0 else {
        close(fd)
        throw E2EError("\(what): connect failed")
    }
    var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    return fd
}
