import Foundation
import LwM2M

/// `--report-log FILE`: one JSON line per value a device reported (a notification, LwM2M 1.1 Core §6.4.2, or a
/// Send, §6.4.6), for comparing with what the server stored:
/// `{"endpoint":"sim-1","kind":"send","path":"/3303/0/5700","value":21.37,"time":"2026-11-23T02:00:00.123Z"}`.
/// `time` is the measurement time the payload carried, else the send time; `value` is the encoded value.
final class ReportLog: Sendable {
    /// Which operation carried the value.
    enum Kind: String, Sendable {
        case notification
        case send
    }

    private let file: AppendOnlyFile

    /// Opens (creating when missing) `path` for appending.
    init(path: String) throws {
        file = try AppendOnlyFile(path: path, flag: "--report-log")
    }

    /// Appends one line per value; a value without its own time gets `sentAt`.
    func append(endpoint: String, kind: Kind, values: [ClientReportedValue], sentAt: Date) {
        guard !values.isEmpty else { return }
        var text = ""
        for value in values {
            text += #"{"endpoint":\#(Self.string(endpoint)),"kind":"\#(kind.rawValue)","path":"\#(value.path)","#
            text += #""value":\#(Self.json(value.value)),"time":"\#(Self.timestamp(value.time ?? sentAt))"}"#
            text += "\n"
        }
        file.append(text)
    }

    /// The value as JSON: numbers for numeric and time values (seconds), strings otherwise (opaque in base64,
    /// object links as `o:i`, CoRE links in link format).
    static func json(_ value: LwM2MValue) -> String {
        switch value {
        case .string(let text): string(text)
        case .integer(let number): String(number)
        case .unsignedInteger(let number): String(number)
        case .float(let number): number.isFinite ? "\(number)" : "null"
        case .boolean(let flag): flag ? "true" : "false"
        case .opaque(let bytes): string(Data(bytes).base64EncodedString())
        case .time(let seconds): String(seconds)
        case .objlnk(let objectID, let instanceID): string("\(objectID):\(instanceID)")
        case .corelnk(let links): string(LinkFormat.serialize(links))
        }
    }

    /// `2026-11-23T02:00:00.123Z`: UTC with milliseconds.
    static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let fraction = millis - seconds * 1000
        let whole = Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
        let digits = String(fraction)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// A JSON string literal (RFC 8259 §7).
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
