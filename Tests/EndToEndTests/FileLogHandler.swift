import Foundation
import Logging

/// A log handler that appends lines to a file, in `StreamLogHandler`'s layout, for servers the end-to-end tests
/// run in process: `ServerProcess.log` reads them as it reads a child process's output.
struct FileLogHandler: LogHandler {
    /// The open file, shared by every logger of one server.
    final class Sink: @unchecked Sendable {
        private let handle: FileHandle
        private let lock = NSLock()

        init(url: URL) throws {
            FileManager.default.createFile(atPath: url.path, contents: nil)
            handle = try FileHandle(forWritingTo: url)
            handle.seekToEndOfFile()
        }

        func write(_ line: String) {
            lock.withLock { handle.write(Data(line.utf8)) }
        }

        deinit { try? handle.close() }
    }

    let label: String
    let sink: Sink
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(label: String, sink: Sink, logLevel: Logger.Level) {
        self.label = label
        self.sink = sink
        self.logLevel = logLevel
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let time = Date().formatted(.iso8601)
        sink.write("\(time) \(event.level) \(label) :\(fields) [\(event.source)] \(event.message)\n")
    }
}
