import Foundation
import Synchronization

/// A file the simulator appends whole lines to from any thread (`--report-log`, `--request-log`): each `append`
/// writes its text with one lock held, so lines of different devices never interleave.
final class AppendOnlyFile: Sendable {
    private let descriptor: Mutex<Int32>

    /// Opens (creating when missing) `path` for appending; `flag` names the option in the error.
    init(path: String, flag: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SimulatorError("cannot open \(flag) \(path): \(String(cString: strerror(errno)))")
        }
        descriptor = Mutex(fd)
    }

    deinit {
        descriptor.withLock { _ = close($0) }
    }

    /// Writes `text` at the end of the file (a failed write drops the rest of it).
    func append(_ text: String) {
        let bytes = Array(text.utf8)
        descriptor.withLock { fd in
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
