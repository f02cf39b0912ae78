import Foundation
import LwM2M

/// One queued device operation with where it stands (a row of `endpoint_operation`, with its endpoint's name).
public struct EndpointOperation: Sendable, Equatable, Identifiable {
    /// The operation's id.
    public var id: Int64
    /// The endpoint it is for.
    public var endpoint: String
    /// What to send.
    public var request: OperationRequest
    /// Higher first; equal priorities go oldest first.
    public var priority: Int
    /// Where it stands.
    public var status: OperationStatus
    /// Sends so far.
    public var attempts: Int
    /// The most sends allowed.
    public var maxAttempts: Int
    /// Whether it may be sent again after a send that may have arrived (idempotent kinds, or allowed by the operator).
    public var retriesAllowed: Bool
    /// When it was queued.
    public var createdAt: Date
    /// Not sent before this instant (a requested start, or a retry's back-off).
    public var notBefore: Date
    /// The deadline, if any.
    public var expiresAt: Date?
    /// The last error, for operators.
    public var lastError: String?
    /// What the device answered, once it did.
    public var result: OperationResult?
    /// The last change.
    public var updatedAt: Date

    /// The kind (`request.kind`).
    public var kind: OperationKind { request.kind }

    /// The state machine positioned at this operation's state.
    func stateMachine(retryPolicy: OperationStateMachine.RetryPolicy) -> OperationStateMachine {
        OperationStateMachine(
            restoring: status, attempts: attempts, maxAttempts: maxAttempts, retriesAllowed: retriesAllowed,
            notBefore: notBefore, expiresAt: expiresAt, lastError: lastError, retryPolicy: retryPolicy)
    }
}

/// One recorded transition of an operation (`endpoint_operation_history`).
public struct OperationTransition: Sendable, Equatable {
    /// The status before; `nil` for the entry that queued it.
    public var from: OperationStatus?
    /// The status after.
    public var to: OperationStatus
    /// When.
    public var at: Date
    /// Why.
    public var note: String?
}

/// What the device answered to an operation (successes, and device errors with their CoAP code).
public struct OperationResult: Sendable, Equatable {
    /// The CoAP response code, `"2.05"`.
    public var code: String
    /// The content format of `node`/`nodes`, by name.
    public var format: String?
    /// A Read's content.
    public var node: LwM2MNode?
    /// A Composite-Read's content.
    public var nodes: [LwM2MPath: LwM2MNode]?
    /// A Discover's links.
    public var links: [LwM2MLink]?
    /// A Create's new instance.
    public var location: LwM2MPath?
    /// The observations an Observe made or a Cancel ended.
    public var observationIDs: [String]?

    /// Creates a result.
    public init(code: String, format: String? = nil, node: LwM2MNode? = nil, nodes: [LwM2MPath: LwM2MNode]? = nil,
                links: [LwM2MLink]? = nil, location: LwM2MPath? = nil, observationIDs: [String]? = nil) {
        self.code = code
        self.format = format
        self.node = node
        self.nodes = nodes
        self.links = links
        self.location = location
        self.observationIDs = observationIDs
    }

    /// The result of a device's successful answer.
    public init(_ response: DeviceResponse) {
        switch response {
        case .content(let node, let format): self.init(code: "2.05", format: format.mediaType ?? String(format.rawValue), node: node)
        case .compositeContent(let nodes, let format): self.init(code: "2.05", format: format.mediaType ?? String(format.rawValue), nodes: nodes)
        case .links(let links): self.init(code: "2.05", links: links)
        case .changed: self.init(code: "2.04")
        case .created(let location): self.init(code: "2.01", location: location)
        case .deleted: self.init(code: "2.02")
        }
    }
}

/// An operation to queue, for one endpoint or many.
public struct NewOperation: Sendable, Equatable {
    /// What to send.
    public var request: OperationRequest
    /// Higher first.
    public var priority: Int
    /// Not before this instant (`nil`: at once).
    public var notBefore: Date?
    /// The deadline (`nil`: none).
    public var expiresAt: Date?
    /// The most sends.
    public var maxAttempts: Int
    /// Whether a non-idempotent kind (Execute, Create) may be sent again after a send that may have arrived.
    public var allowRetries: Bool

    /// Creates one.
    public init(request: OperationRequest, priority: Int = 0, notBefore: Date? = nil, expiresAt: Date? = nil,
                maxAttempts: Int = 3, allowRetries: Bool = false) {
        self.request = request
        self.priority = priority
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.maxAttempts = maxAttempts
        self.allowRetries = allowRetries
    }

    /// Whether retries after a possibly delivered send are allowed.
    var retriesAllowed: Bool { request.kind.isIdempotent || allowRetries }
}
