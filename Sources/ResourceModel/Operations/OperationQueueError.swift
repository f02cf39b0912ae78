/// Why the operation queue refused a request.
public enum OperationQueueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No endpoint of these names exists; nothing was queued.
    case unknownEndpoints([String])
    /// These endpoints already have `limit` open (queued or sending) operations; nothing was queued.
    case tooManyOpen([String], limit: Int)

    /// The names, at most ten of them.
    public var description: String {
        switch self {
        case .unknownEndpoints(let names):
            "unknown endpoint\(names.count == 1 ? "" : "s"): \(names.prefix(10).joined(separator: ", "))"
                + (names.count > 10 ? " and \(names.count - 10) more" : "")
        case .tooManyOpen(let names, let limit):
            "\(limit) open operations already queued for \(names.prefix(10).joined(separator: ", "))"
                + (names.count > 10 ? " and \(names.count - 10) more" : "")
        }
    }
}
