import CoAP
import Foundation

/// `--request-log FILE`: one JSON line per request of the server a device handled, written when it handled it:
/// `{"endpoint":"sim-1","method":"POST","path":"/3/0/4","operation":"execute","code":"2.04","time":1763863200.123456}`
/// (`query`: the Uri-Query options joined by `&`, only when there are any, as in a Write-Attributes; `code`: the response code it sent or, with `--response-delay-ms`, is about to send; `time`: Unix seconds).
/// A request an asleep queue-mode device dropped gets `"code":null,"dropped":true`.
final class RequestLog: Sendable {
    private let file: AppendOnlyFile

    /// Opens (creating when missing) `path` for appending.
    init(path: String) throws {
        file = try AppendOnlyFile(path: path, flag: "--request-log")
    }

    /// Logs a request the device answered (or will answer) with `code`.
    func handled(endpoint: String, request: CoAPRequest, operation: ServerOperation, code: CoAPCode, at time: Date) {
        file.append(Self.line(
            endpoint: endpoint, request: request, operation: operation, outcome: #""code":"\#(code)""#, at: time))
    }

    /// Logs a request the device dropped unanswered because it was asleep.
    func dropped(endpoint: String, request: CoAPRequest, operation: ServerOperation, at time: Date) {
        file.append(Self.line(
            endpoint: endpoint, request: request, operation: operation, outcome: #""code":null,"dropped":true"#,
            at: time))
    }

    static func line(
        endpoint: String, request: CoAPRequest, operation: ServerOperation, outcome: String, at time: Date
    ) -> String {
        var text = #"{"endpoint":\#(ReportLog.string(endpoint)),"method":"\#(request.method)","#
        text += #""path":\#(ReportLog.string(request.path)),"#
        if !request.uriQuery.isEmpty {
            text += #""query":\#(ReportLog.string(request.uriQuery.joined(separator: "&"))),"#
        }
        text += #""operation":"\#(operation.rawValue)","#
        text += outcome
        text += #","time":\#(String(format: "%.6f", time.timeIntervalSince1970))}"#
        return text + "\n"
    }
}
