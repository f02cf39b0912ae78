import CoAP
import Foundation

/// One observer a client keeps (RFC 7641 §4.1; LwM2M 1.1 Core §6.4.1 Observe, §6.4.3 Observe-Composite): who asked,
/// with which token, for which paths and format, and what it was last told.
public struct ClientObservation: Sendable, Equatable {
    /// The session the Observe arrived on; notifications go back over it (RFC 7641 §4.2).
    public var session: CoAPSessionID
    /// The token of the Observe request; every notification carries it (RFC 7641 §3.2).
    public var token: [UInt8]
    /// The observed paths: one for an Observe, the request's path list for an Observe-Composite.
    public var paths: [LwM2MPath]
    /// Whether it is an Observe-Composite (FETCH `/` with a SenML path list, LwM2M 1.1 Core §6.4.3).
    public var isComposite: Bool
    /// The content format of the notifications: the request's Accept, else the client's default (LwM2M 1.1 Core §7.4).
    public var format: ContentFormat
    /// The Observe option value of the last notification or of the initial response (24 bits, RFC 7641 §4.4).
    public var sequence: UInt32
    /// How many notifications followed the initial response (RFC 7641 §4.2).
    public var notificationCount: Int
    /// When the last notification (or the initial response) was sent (LwM2M 1.1 Core §5.1.2 pmin/pmax).
    public var lastNotified: Date
    /// When the reporting criteria were last evaluated (LwM2M 1.1 Core §5.1.2 epmin).
    public var lastEvaluated: Date
    /// The nodes last reported, by observed path (a composite `/` stands for every object path it covered).
    public var lastValues: [LwM2MPath: LwM2MNode]

    /// Creates an observation as established by its initial response.
    public init(session: CoAPSessionID, token: [UInt8], paths: [LwM2MPath], isComposite: Bool,
                format: ContentFormat, sequence: UInt32, notificationCount: Int = 0, lastNotified: Date,
                lastEvaluated: Date? = nil, lastValues: [LwM2MPath: LwM2MNode]) {
        self.session = session
        self.token = token
        self.paths = paths
        self.isComposite = isComposite
        self.format = format
        self.sequence = sequence
        self.notificationCount = notificationCount
        self.lastNotified = lastNotified
        self.lastEvaluated = lastEvaluated ?? lastNotified
        self.lastValues = lastValues
    }

    /// The values last reported (by the initial response or the last notification) as leaves in path order,
    /// without a time.
    public var lastReportedValues: [ClientReportedValue] {
        ClientReportedValue.leaves(of: lastValues, time: nil)
    }
}
