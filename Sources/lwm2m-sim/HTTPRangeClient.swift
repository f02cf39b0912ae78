import Foundation
import Synchronization

/// A small HTTP/1.1 GET client over a POSIX socket (RFC 9110, 9112) for `http://` Package URIs: asks for the body
/// from a byte offset (`Range: bytes=N-` with `If-Range: <etag>`, RFC 9110 §14.2, §13.1.5), takes 200 (whole body)
/// and 206 (the rest), and can drop the connection after a given byte, as a broken link does. A raw socket rather
/// than URLSession so that the simulator decides exactly where a transfer breaks off.
///
/// Blocking I/O runs on a thread of its own (never on the cooperative pool), with 10 s socket timeouts.
enum HTTPRangeClient {
    /// What one GET brought.
    struct Fetch: Sendable {
        /// The status code.
        var status: Int
        /// The `ETag` header, as sent.
        var etag: String?
        /// The first byte of `body` in the whole entity (0 for a 200).
        var offset: Int
        /// The entity's full length, when the answer says it (`Content-Length` of a 200, `Content-Range` of a 206).
        var total: Int?
        /// The body bytes received.
        var body: [UInt8]
        /// Whether the body arrived whole (false: the connection was dropped at `stopAt`, or by the peer).
        var complete: Bool
    }

    /// A transfer failure that is not an HTTP status: Update Result 4 (connection lost).
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// GETs `uri` from byte `offset` (with `ifRange`, the ETag of the bytes held); drops the connection once the
    /// entity's bytes up to `stopAt` (an offset into the whole entity, from the total when known) have arrived.
    static func get(
        _ uri: PackageURI, offset: Int = 0, ifRange: String? = nil, stopAt: @escaping @Sendable (Int?) -> Int? = { _ in nil }
    ) async throws -> Fetch {
        let cancelled = CancelFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Fetch, any Error>) in
                let thread = Thread {
                    continuation.resume(with: Result {
                        try fetch(uri, offset: offset, ifRange: ifRange, stopAt: stopAt) { cancelled.isSet }
                    })
                }
                thread.name = "fw-http"
                thread.start()
            }
        } onCancel: {
            cancelled.set()
        }
    }

    /// The blocking transfer.
    private static func fetch(
        _ uri: PackageURI, offset: Int, ifRange: String?, stopAt: (Int?) -> Int?, isCancelled: @escaping () -> Bool
    ) throws -> Fetch {
        let fd = try connect(host: uri.host, port: uri.port)
        defer { close(fd) }
        let hostHeader = uri.host.contains(":") ? "[\(uri.host)]:\(uri.port)" : "\(uri.host):\(uri.port)"
        var request = "GET \(uri.encodedPath)\(uri.encodedQuery.map { "?" + $0 } ?? "") HTTP/1.1\r\n"
        request += "Host: \(hostHeader)\r\nUser-Agent: lwm2m-sim\r\nAccept: */*\r\nConnection: close\r\n"
        if offset > 0 {
            request += "Range: bytes=\(offset)-\r\n"
            if let ifRange { request += "If-Range: \(ifRange)\r\n" }
        }
        request += "\r\n"
        try send(fd, Array(request.utf8))

        var reader = SocketReader(fd: fd, isCancelled: isCancelled)
        let head = try reader.head()
        var fetch = Fetch(status: head.status, etag: head.headers["etag"], offset: 0, total: nil, body: [], complete: false)
        let length = head.headers["content-length"].flatMap { (value: String) in Int(value) }
        if head.status == 206, let range = head.headers["content-range"] {
            // `bytes 300000-1048575/1048576` (RFC 9110 §14.4).
            let parts = range.replacingOccurrences(of: "bytes ", with: "").split(separator: "/")
            fetch.offset = parts.first.flatMap { $0.split(separator: "-").first }.flatMap { Int($0) } ?? 0
            fetch.total = parts.count == 2 ? Int(parts[1]) : nil
        } else if head.status == 200 {
            fetch.total = length
        }
        guard (200..<300).contains(head.status) else { return fetch }
        let chunked = head.headers["transfer-encoding"]?.lowercased().contains("chunked") == true
        // The body bytes to take before dropping the connection, counted from this answer's first byte.
        let limit = stopAt(fetch.total).map { max(0, $0 - fetch.offset) }
        fetch.complete = try reader.body(into: &fetch.body, length: chunked ? nil : length, chunked: chunked, limit: limit)
        return fetch
    }

    /// A connected TCP socket with 10 s send and receive timeouts.
    private static func connect(host: String, port: UInt16) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        var lastError = "no address"
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
            lastError = String(cString: strerror(errno))
            close(fd)
        }
        throw Failure(description: "cannot connect to \(host):\(port): \(lastError)")
    }

    private static func send(_ fd: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send failed: \(String(cString: strerror(errno)))") }
            sent += count
        }
    }
}

/// Set when the task waiting for a transfer is cancelled; the transfer thread looks at it between reads.
private final class CancelFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

/// Buffered reads of an HTTP response from a socket.
private struct SocketReader {
    let fd: Int32
    let isCancelled: () -> Bool
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false

    init(fd: Int32, isCancelled: @escaping () -> Bool) {
        self.fd = fd
        self.isCancelled = isCancelled
    }

    /// Reads more bytes; false at the end of the stream.
    private mutating func fill() throws -> Bool {
        guard !atEnd else { return false }
        if isCancelled() { throw CancellationError() }
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            throw HTTPRangeClient.Failure(description: "receive failed: \(String(cString: strerror(errno)))")
        }
        if count == 0 {
            atEnd = true
            return false
        }
        buffer += chunk.prefix(count)
        return true
    }

    /// One CRLF-terminated line (without the CRLF).
    private mutating func line() throws -> String {
        while true {
            if let end = buffer[position...].firstIndex(of: 0x0a) {
                var text = buffer[position..<end]
                if text.last == 0x0d { text = text.dropLast() }
                position = end + 1
                return String(decoding: text, as: UTF8.self)
            }
            guard buffer.count - position < 65_536 else { throw HTTPRangeClient.Failure(description: "header line too long") }
            guard try fill() else { throw HTTPRangeClient.Failure(description: "connection closed in the header") }
        }
    }

    /// The status line and the header fields (names lower-cased; a repeated field keeps the last).
    mutating func head() throws -> (status: Int, headers: [String: String]) {
        let status = try line()
        let parts = status.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]) else {
            throw HTTPRangeClient.Failure(description: "not an HTTP/1.x answer: \(status.prefix(64))")
        }
        var headers: [String: String] = [:]
        while true {
            let field = try line()
            if field.isEmpty { break }
            guard let colon = field.firstIndex(of: ":") else { continue }
            headers[field[..<colon].lowercased()] = field[field.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (code, headers)
    }

    /// Appends the body to `body`: `length` bytes, or chunked (RFC 9112 §7.1), or up to the end of the stream;
    /// at most `limit` bytes. Returns whether the body is whole.
    mutating func body(into body: inout [UInt8], length: Int?, chunked: Bool, limit: Int?) throws -> Bool {
        let cap = limit ?? Int.max
        if chunked {
            while true {
                let sizeLine = try line()
                guard let size = Int(sizeLine.split(separator: ";").first?.trimmingCharacters(in: .whitespaces) ?? "", radix: 16) else {
                    throw HTTPRangeClient.Failure(description: "bad chunk size '\(sizeLine.prefix(32))'")
                }
                if size == 0 { return true }
                guard try take(size, into: &body, cap: cap) else { return false }
                _ = try line()
            }
        }
        guard let length else {
            while true {
                if position == buffer.count, try !fill() { return true }
                let room = cap - body.count
                guard room > 0 else { return false }
                let count = min(room, buffer.count - position)
                body += buffer[position..<(position + count)]
                position += count
            }
        }
        return try take(length, into: &body, cap: cap)
    }

    /// Moves `count` bytes into `body` unless `cap` stops it first; false when stopped or the stream ended.
    private mutating func take(_ count: Int, into body: inout [UInt8], cap: Int) throws -> Bool {
        var remaining = count
        while remaining > 0 {
            if position == buffer.count, try !fill() { return false }
            let room = cap - body.count
            guard room > 0 else { return false }
            let step = min(remaining, buffer.count - position, room)
            body += buffer[position..<(position + step)]
            position += step
            remaining -= step
        }
        return true
    }
}
