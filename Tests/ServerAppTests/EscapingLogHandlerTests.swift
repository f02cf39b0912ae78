import Logging
import Synchronization
import Testing

@testable import ServerApp

/// `EscapingLogHandler`: control characters from devices never reach the log raw.
@Suite("Escaping log handler")
struct EscapingLogHandlerTests {
    final class Captured: Sendable {
        let lines = Mutex<[(String, Logger.Metadata)]>([])
    }

    struct Recorder: LogHandler {
        let captured: Captured
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            captured.lines.withLock {
                $0.append((event.message.description, metadata.merging(event.metadata ?? [:]) { $1 }))
            }
        }
    }

    @Test func messagesAndMetadataAreEscaped() {
        let captured = Captured()
        var logger = Logger(label: "t") { _ in EscapingLogHandler(Recorder(captured: captured)) }
        logger[metadataKey: "peer"] = "a\nb"
        logger.warning("refused \u{1B}[31m", metadata: [
            "query": "ep=x&x=\n2026 critical forged\r\t\u{7F}\u{85}\u{2028}", "list": .array(["\u{0}"]),
            "plain": "café /3/0", "number": .stringConvertible(42),
        ])
        let (message, metadata) = captured.lines.withLock { $0[0] }
        #expect(message == "refused \\u{1b}[31m")
        #expect(metadata["query"] == "ep=x&x=\\n2026 critical forged\\r\\t\\u{7f}\\u{85}\\u{2028}")
        #expect(metadata["list"] == .array(["\\u{0}"]))
        #expect(metadata["peer"] == "a\\nb")
        #expect(metadata["plain"] == "café /3/0")
        #expect(metadata["number"] == "42")
    }
}
