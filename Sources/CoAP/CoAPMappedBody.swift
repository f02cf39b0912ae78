import CLibCoAP
import Foundation
import Glibc

/// A large response body read from a file mapped into memory once and shared by every transfer of it: libcoap
/// serves it block by block (RFC 7959 Block2) straight from the mapping, with `etag` on every block, and each
/// transfer holds a reference until libcoap releases it. A firmware image served to a thousand devices is thus in
/// memory once (and only the pages that were read). A request for block N (a client resuming) is answered from
/// block N. The file must not change while mapped: firmware images are named by their hash and never rewritten.
public final class CoAPMappedBody: @unchecked Sendable, Equatable {
    /// The first byte of the mapping (read-only; immutable for the object's life).
    let base: UnsafeRawPointer
    /// The body's length in bytes.
    public let count: Int
    /// The ETag option value sent with every block (8 bytes; libcoap treats 0 as none).
    public let etag: UInt64

    /// Maps `file` read-only; throws for a missing, empty or unreadable file.
    public init(file: URL, etag: UInt64) throws {
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

/// Releases the reference a transfer held on its `CoAPMappedBody` (libcoap calls it once the body was sent or the
/// transfer failed).
let releaseMappedBody: coap_release_large_data_t = { _, pointer in
    guard let pointer else { return }
    Unmanaged<CoAPMappedBody>.fromOpaque(pointer).release()
}
