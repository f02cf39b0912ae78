import Foundation
import Logging
import Synchronization
import Testing

@testable import ServerApp

/// `--log-format json`: one JSON object per line, device text escaped by JSON itself.
@Suite struct JSONLogHandlerTests {
    final class Lines: Sendable {
        let data = Mutex(Data())
    }

    @Test func oneParsableObjectPerLineWithMetadataAndNoForgedLines() throws {
        let lines = Lines()
        var handler = JSONLogHandler(label: "lwm2m-server") { chunk in lines.data.withLock { $0.append(chunk) } }
        handler.metadata = ["component": "test"]
        let logger = Logger(label: "lwm2m-server") { _ in handler }
        logger.warning("refused register\nfake line", metadata: ["query": "ep=x\n2026 info forged", "code": "4.00"])
        logger.debug("below the level")
        let text = String(decoding: lines.data.withLock { $0 }, as: UTF8.self)
        let split = text.split(separator: "\n")
        #expect(split.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(split[0].utf8)) as? [String: String])
        #expect(object["level"] == "warning")
        #expect(object["message"] == "refused register\nfake line")
        #expect(object["query"] == "ep=x\n2026 info forged")
        #expect(object["code"] == "4.00")
        #expect(object["component"] == "test")
        #expect(object["label"] == "lwm2m-server")
        #expect(object["time"].map { ISO8601DateFormatter().date(from: String($0.prefix(19)) + "Z") != nil } == true)
    }
}
