/// Where a queued device operation stands (issue 5: `queued → sending → succeeded | failed`, plus `expired`
/// and `cancelled`).
public enum OperationStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting to be sent (possibly until `notBefore`, or until a queue-mode device wakes up).
    case queued
    /// Sent to the device; the answer is awaited.
    case sending
    /// The device answered with success.
    case succeeded
    /// The device refused, or every attempt failed.
    case failed
    /// The deadline passed before it could complete.
    case expired
    /// An operator cancelled it before it was sent.
    case cancelled

    /// Whether no transition leaves this status.
    public var isFinal: Bool {
        switch self {
        case .queued, .sending: false
        case .succeeded, .failed, .expired, .cancelled: true
        }
    }
}
