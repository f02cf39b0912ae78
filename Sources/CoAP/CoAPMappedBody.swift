import CLibCoAP
import Foundation
import Glibc

/// A large response body read from a file mapped into memory once and shared by every transfer of it. It is
/// served one Block2 block per request (RFC 7959 §2.4) straight from the mapping, with `etag` and Size2 on every
/// block: the endpoint answers the block the request asks for (block 0 when it asks for none; a client resuming
/// asks for block N and gets it) and keeps no transfer state, so every block request reaches the handler that
/// returned the body and every block served is reported to `onServe`. A firmware image served to a thousand
/// devices is thus in memory once (and only the pages that were read). The file must not change while mapped:
/// firmware images are named by their hash and never rewritten.
public final class CoAPMappedBody: @unchecked Sendable, Equatable {
    /// The first byte of the mapping (read-only; immutable for the object's life).
    let base: UnsafeRawPointer
    /// The body's length in bytes.
    public let count: Int
    /// The ETag option value sent with every block (8 bytes; libcoap treats 0 as none).
    public let etag: UInt64
    /// Called on the I/O thread with the payload size of every block sent (keep it short: a counter).
    public let onServe: (@Sendable (Int) -> Void)?

    /// Maps `file` read-only; throws for a missing, empty or unreadable file.
    public init(file: URL, etag: UInt64, onServe: (@Sendable (Int) -> Void)? = nil) throws {
        let descriptor = open(file.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CoAPMappedBodyError("cannot open \(file.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 0 else {
            throw CoAPMappedBodyError("\(file.path) is empty or cannot be read")
        }
        let length = Int(status.st_size)
        guard let mapping = mmap(nil, length, PROT_READ, MAP_SHARED, descriptor, 0), mapping != MAP_FAILED else {
            throw CoAPMappedBodyError("cannot map \(file.path): \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(mapping)
        count = length
        self.etag = etag == 0 ? 1 : etag
        self.onServe = onServe
    }

    /// The block to answer a request carrying `requested` (none: block 0) with, in blocks of at most
    /// `16 << maxSZX` bytes: a larger size asked for is answered in the smaller one from the same byte offset
    /// (RFC 7959 §2.4, the server may choose a smaller size). `nil` when the offset lies at or beyond the end.
    public func block(for requested: CoAPBlock?, maxSZX: UInt8) -> (block: CoAPBlock, bytes: UnsafeRawBufferPointer)? {
        let szx = min(requested?.szx ?? maxSZX, maxSZX)
        let size = 16 << Int(szx)
        let offset = requested?.offset ?? 0
        guard offset < count, offset / size <= Int(CoAPBlock.maxNumber) else { return nil }
        let length = min(size, count - offset)
        let block = CoAPBlock(num: UInt32(offset / size), more: offset + length < count, szx: szx)
        return (block, UnsafeRawBufferPointer(start: base + offset, count: length))
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), count)
    }

    /// The ETag of content with this SHA-256 (its first 8 bytes, big-endian), never 0.
    public static func etag(sha256 hex: String) -> UInt64 {
        let value = UInt64(hex.prefix(16), radix: 16) ?? 1
        return value == 0 ? 1 : value
    }

    /// The same mapping.
    public static func == (lhs: CoAPMappedBody, rhs: CoAPMappedBody) -> Bool { lhs === rhs }
}

/// Why a file could not be mapped.
public struct CoAPMappedBodyError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, with the path.
    public let description: String

    init(_ description: String) { self.description = description }
}
