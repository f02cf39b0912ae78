import Crypto
import Foundation
import Glibc

/// Why an upload was refused; nothing of it is kept.
public enum FirmwareUploadError: Error, Equatable, Sendable {
    /// The body was empty.
    case empty
    /// The body passed `limit` bytes (`--max-firmware-size`).
    case tooLarge(limit: Int64)
    /// The file could not be written.
    case io(String)
}

/// One image being received: the bytes go to a temporary file under the firmware directory as they arrive, hashed
/// on the way, so the image is never held in memory. `append` each chunk, then `complete()`; `abort()` (or a
/// thrown error) removes the file. Used by one task at a time.
public final class FirmwareUpload {
    /// The temporary file.
    let url: URL
    /// The most bytes accepted.
    public let limit: Int64
    /// The bytes received so far.
    public private(set) var size: Int64 = 0
    private var hasher = SHA256()
    private var descriptor: Int32

    init(directory: URL, limit: Int64) throws(FirmwareUploadError) {
        url = directory.appendingPathComponent(".upload-\(UUID().uuidString)")
        self.limit = limit
        descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .io("cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(url.path)
        }
    }

    /// Writes and hashes one chunk; throws `tooLarge` (and removes the file) once the limit is passed.
    public func append(_ bytes: UnsafeRawBufferPointer) throws(FirmwareUploadError) {
        guard descriptor >= 0 else { throw .io("the upload is closed") }
        guard size + Int64(bytes.count) <= limit else {
            abort()
            throw .tooLarge(limit: limit)
        }
        hasher.update(bufferPointer: bytes)
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let written = write(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                abort()
                throw .io("cannot write \(url.path): \(reason)")
            }
            offset += written
        }
        size += Int64(bytes.count)
    }

    /// Closes the file (flushed to disk) and gives its size and SHA-256; throws `empty` for no bytes.
    public func complete() throws(FirmwareUploadError) -> CompletedUpload {
        guard descriptor >= 0 else { throw .io("the upload is closed") }
        guard size > 0 else {
            abort()
            throw .empty
        }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        descriptor = -1
        guard synced else {
            unlink(url.path)
            throw .io("cannot flush \(url.path)")
        }
        let digest = hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
        return CompletedUpload(url: url, size: size, sha256: digest)
    }

    /// Stops receiving and removes the file.
    public func abort() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(url.path)
    }
}

/// A received image in its temporary file, ready to be stored under its hash.
public struct CompletedUpload: Sendable, Equatable {
    /// The temporary file.
    let url: URL
    /// The size in bytes.
    public let size: Int64
    /// The SHA-256, lowercase hex.
    public let sha256: String
}
