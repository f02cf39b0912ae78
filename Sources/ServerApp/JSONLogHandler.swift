import Foundation
import Logging

/// `--log-format json`: one JSON object per line on standard error, for log shippers (Loki, Elasticsearch,
/// CloudWatch): `{"time":"…","level":"info","label":"lwm2m-server","source":"RESTBridge","message":"…",` then the
/// handler's and the event's metadata as string members (the event's win), keys sorted. JSON escapes every
/// control character, so what devices send cannot forge a line here either.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let write: @Sendable (Data) -> Void

    /// A handler for `label` writing to standard error (or to `write`, for tests).
    public init(label: String, write: (@Sendable (Data) -> Void)? = nil) {
        self.label = label
        self.write = write ?? { FileHandle.standardError.write($0) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: [String: String] = [:]
        for (key, value) in metadata { object[key] = "\(value)" }
        for (key, value) in event.metadata ?? [:] { object[key] = "\(value)" }
        object["time"] = Self.timestamp(Date())
        object["level"] = event.level.rawValue
        object["label"] = label
        object["source"] = event.source
        object["message"] = event.message.description
        if let error = event.error { object["error"] = "\(error)" }
        guard var line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        line.append(0x0A)
        write(line)
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
