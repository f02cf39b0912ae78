import CLibCoAP
import Synchronization
import Foundation

/// Converts between host/port strings and libcoap's `coap_address_t` (I/O thread or pure helpers).
enum SocketAddress {
    /// Resolves `host` (numeric IPv4/IPv6 or a name) and `port` into a libcoap address.
    static func resolve(host: String, port: UInt16, passive: Bool) throws(CoAPError) -> coap_address_t {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let info = result else {
            throw CoAPError(.invalidAddress, "cannot resolve '\(host)'")
        }
        defer { freeaddrinfo(result) }
        var address = coap_address_t()
        coap_address_init(&address)
        let length = Int(info.pointee.ai_addrlen)
        guard length <= MemoryLayout.size(ofValue: address.addr), let source = info.pointee.ai_addr else {
            throw CoAPError(.invalidAddress, "unsupported address family for '\(host)'")
        }
        withUnsafeMutableBytes(of: &address.addr) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: source, count: length))
        }
        address.size = socklen_t(length)
        return address
    }

    /// Formats an address as `ip:port` (`[ip]:port` for IPv6).
    static func describe(_ address: UnsafePointer<coap_address_t>?) -> String {
        guard let address else { return "?" }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        var copy = address.pointee
        switch Int32(copy.addr.sa.sa_family) {
        case AF_INET:
            inet_ntop(AF_INET, &copy.addr.sin.sin_addr, &buffer, socklen_t(buffer.count))
            let host = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return "\(host):\(UInt16(bigEndian: copy.addr.sin.sin_port))"
        case AF_INET6:
            inet_ntop(AF_INET6, &copy.addr.sin6.sin6_addr, &buffer, socklen_t(buffer.count))
            let host = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return "[\(host)]:\(UInt16(bigEndian: copy.addr.sin6.sin6_port))"
        default:
            return "?"
        }
    }

    /// The port of a libcoap endpoint, read from libcoap's description of it (`127.0.0.1:5683 UDP`).
    /// `coap_endpoint_str` writes into one static buffer: endpoints of several contexts in one process (tests,
    /// a server beside a client) must not call it at the same time, or one reads the other's port.
    private static let endpointStringLock = Mutex(())

    static func port(of endpoint: OpaquePointer) -> UInt16? {
        let description: String? = endpointStringLock.withLock { _ in
            coap_endpoint_str(endpoint).map { String(cString: $0) }
        }
        guard let description else { return nil }
        guard let hostEnd = description.lastIndex(of: ":") else { return nil }
        let digits = description[description.index(after: hostEnd)...].prefix { $0.isNumber }
        return UInt16(digits)
    }
}
