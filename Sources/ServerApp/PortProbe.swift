import Foundation

/// Checks a TCP port before the HTTP server binds it, so that a taken port is reported with its flag rather than
/// as a bare "address in use" from deep inside the HTTP stack.
public enum PortProbe {
    /// Why `host:port` cannot be listened on (a description of the error), or `nil` when it can. `SO_REUSEADDR` is
    /// set as the HTTP server sets it, so only a listening socket (not a connection in TIME_WAIT) counts as taken.
    public static func tcpInUse(host: String, port: Int) -> String? {
        guard port > 0, port <= 65_535 else { return nil }
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        let family: Int32
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            family = AF_INET
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = UInt16(port).bigEndian
        } else if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            family = AF_INET6
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = UInt16(port).bigEndian
        } else {
            return nil  // a host name: the HTTP server resolves it and reports its own error
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32 = family == AF_INET
            ? withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            : withUnsafePointer(to: &v6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        return result == 0 ? nil : String(cString: strerror(errno))
    }
}
