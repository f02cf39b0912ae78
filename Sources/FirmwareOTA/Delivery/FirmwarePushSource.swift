import Foundation
import ResourceModel

#if canImport(Glibc)
import Glibc
#endif

/// The bytes of pushed packages: `block-write` operations with the source `firmware:<sha256>` read the image
/// file of that hash (`FirmwareImages`), a block at a time, never the whole image.
struct FirmwarePushSource: BlockWriteSource {
    /// The scheme of the sources it gives.
    static let scheme = "firmware"

    let directory: URL

    /// The source naming the image with `sha256`.
    static func source(sha256: String) -> String { "\(scheme):\(sha256)" }

    func bytes(of name: String, offset: Int64, count: Int) throws -> [UInt8] {
        // A hash names the file: nothing else in (or beyond) the directory can be read this way.
        guard name.count == 64, name.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw FirmwarePushSourceError("'\(name)' is not a SHA-256 in lower-case hex")
        }
        let path = directory.appendingPathComponent(name).path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FirmwarePushSourceError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let read = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
            }
            if read < 0, errno == EINTR { continue }
            guard read >= 0 else {
                throw FirmwarePushSourceError("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if read == 0 { break }
            filled += read
        }
        return Array(bytes.prefix(filled))
    }
}

struct FirmwarePushSourceError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
