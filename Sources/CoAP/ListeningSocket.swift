import CLibCoAP
import Foundation

/// Kernel-level helpers for the listening UDP sockets libcoap opens (libcoap 4.3.1 has no getter for them).
///
/// libcoap reads about one datagram per ready socket per `coap_io_process` call and binds with
/// `SO_REUSEADDR`; these helpers let the I/O loop refuse a taken port, find the socket, size its receive
/// buffer, and read the kernel's queue and drop counters (`/proc/net/udp`).
enum ListeningSocket {
    /// Fails when `address` cannot be bound without `SO_REUSEADDR`, i.e. another socket holds the port.
    static func probe(_ address: coap_address_t) -> Int32? {
        var copy = address
        let fd = socket(Int32(copy.addr.sa.sa_family), Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        let result = withUnsafePointer(to: &copy.addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, copy.size) }
        }
        return result == 0 ? nil : errno
    }

    /// The unconnected UDP socket of this process bound to `port` in `family`, found by `getsockname`.
    static func find(port: UInt16, family: Int32, excluding: Set<Int32> = []) -> Int32? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return nil }
        for name in names.compactMap({ Int32($0) }).sorted() where !excluding.contains(name) {
            var type: Int32 = 0
            var typeLength = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(name, SOL_SOCKET, SO_TYPE, &type, &typeLength) == 0,
                  type == Int32(SOCK_DGRAM.rawValue) else { continue }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let ok = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(name, $0, &length) == 0 }
            }
            guard ok, Int32(storage.ss_family) == family else { continue }
            let boundPort: UInt16 = withUnsafePointer(to: &storage) { pointer in
                if family == AF_INET {
                    return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
                }
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            guard boundPort == port else { continue }
            var peer = sockaddr_storage()
            var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let connected = withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(name, $0, &peerLength) == 0 }
            }
            if !connected { return name }
        }
        return nil
    }

    /// Asks for `bytes` of receive buffer (`SO_RCVBUFFORCE`, else `SO_RCVBUF`) and returns what the kernel
    /// reports back (it doubles the request for bookkeeping and caps plain `SO_RCVBUF` at `net.core.rmem_max`).
    static func setReceiveBuffer(_ fd: Int32, bytes: Int) -> Int {
        var value = Int32(clamping: bytes)
        let size = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &value, size) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, size)
        }
        return receiveBuffer(fd)
    }

    /// The socket's effective receive buffer in bytes.
    static func receiveBuffer(_ fd: Int32) -> Int {
        var value: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, &size) == 0 ? Int(value) : 0
    }

    /// Whether a datagram is waiting on `fd` (non-blocking peek).
    static func hasDatagram(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC)) >= 0
    }

    /// The kernel's receive-queue bytes and drop count for `fd`, from `/proc/net/udp` or `/proc/net/udp6`.
    static func kernelCounters(_ fd: Int32) -> (queued: Int, drops: UInt64)? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        let inode = String(info.st_ino)
        for file in ["/proc/net/udp", "/proc/net/udp6"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                // sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
                guard fields.count >= 13, fields[9] == inode else { continue }
                let queues = fields[4].split(separator: ":")
                let queued = queues.count == 2 ? Int(queues[1], radix: 16) ?? 0 : 0
                return (queued, UInt64(fields[12]) ?? 0)
            }
        }
        return nil
    }
}
