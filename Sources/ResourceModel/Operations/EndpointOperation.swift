import Foundation
import GRDB
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

/// A row of `endpoint_operation`.
struct EndpointOperationRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "endpoint_operation"

    var id: Int64?
    var endpointId: Int64
    var kind: String
    var paths: [String]
    var payload: OperationPayload?
    var priority: Int
    var status: String
    var attempts: Int
    var maxAttempts: Int
    var retriesAllowed: Bool
    var createdAt: Date
    var notBefore: Date?
    var expiresAt: Date?
    var lastError: String?
    var result: StoredOperationResult?
    var updatedAt: Date

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let endpointId = Column(CodingKeys.endpointId)
        static let status = Column(CodingKeys.status)
        static let priority = Column(CodingKeys.priority)
        static let createdAt = Column(CodingKeys.createdAt)
        static let notBefore = Column(CodingKeys.notBefore)
        static let expiresAt = Column(CodingKeys.expiresAt)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .storedMilliseconds
    }

    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .storedMilliseconds
    }

    /// The operation this row stores, for `endpoint`.
    func operation(endpoint: String) throws -> EndpointOperation {
        guard let id, let kind = OperationKind(rawValue: kind), let status = OperationStatus(rawValue: status) else {
            throw StoredNode.malformed("operation row \(id ?? -1) has kind '\(kind)', status '\(status)'")
        }
        let paths = try paths.map { try LwM2MPath($0) }
        return EndpointOperation(
            id: id, endpoint: endpoint, request: try OperationRequest(kind: kind, paths: paths, payload: payload),
            priority: priority, status: status, attempts: attempts, maxAttempts: maxAttempts,
            retriesAllowed: retriesAllowed, createdAt: createdAt, notBefore: notBefore ?? createdAt,
            expiresAt: expiresAt, lastError: lastError, result: try result?.result(), updatedAt: updatedAt)
    }

    /// Copies the machine's state into the row.
    mutating func apply(_ machine: OperationStateMachine, at now: Date) {
        status = machine.status.rawValue
        attempts = machine.attempts
        notBefore = machine.notBefore
        lastError = machine.lastError
        updatedAt = now
    }
}

/// A row of `endpoint_operation_history`.
struct OperationHistoryRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "endpoint_operation_history"

    var operationId: Int64
    var fromStatus: String?
    var toStatus: String
    var at: Date
    var note: String?

    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .storedMilliseconds
    }

    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .storedMilliseconds
    }

    var transition: OperationTransition {
        OperationTransition(
            from: fromStatus.flatMap(OperationStatus.init(rawValue:)),
            to: OperationStatus(rawValue: toStatus) ?? .failed, at: at, note: note)
    }
}

/// `endpoint_operation.result` as JSON.
struct StoredOperationResult: Codable, Equatable {
    var code: String
    var format: String?
    var node: StoredNode?
    var nodes: [String: StoredNode]?
    var links: String?
    var location: String?
    var observationIds: [String]?

    init(_ result: OperationResult) {
        code = result.code
        format = result.format
        node = result.node.map(StoredNode.init)
        nodes = result.nodes.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key.description, StoredNode($0.value)) }) }
        links = result.links.map { String(decoding: LinkFormatCodec().encode($0), as: UTF8.self) }
        location = result.location?.description
        observationIds = result.observationIDs
    }

    func result() throws -> OperationResult {
        var nodesByPath: [LwM2MPath: LwM2MNode]?
        if let nodes {
            var decoded: [LwM2MPath: LwM2MNode] = [:]
            for (key, stored) in nodes { decoded[try LwM2MPath(key)] = try stored.node() }
            nodesByPath = decoded
        }
        return OperationResult(
            code: code, format: format, node: try node?.node(), nodes: nodesByPath,
            links: try links.map { try LinkFormatCodec().decode(Array($0.utf8)) },
            location: try location.map { try LwM2MPath($0) },
            observationIDs: observationIds)
    }
}

extension DatabaseDateEncodingStrategy {
    /// Epoch milliseconds rounded like `EpochMilliseconds.from` (GRDB's `.millisecondsSince1970` floors, so an
    /// instant read back and written again could lose a millisecond, and the API rounds): what is stored is
    /// what the API shows, before and after a round trip.
    static let storedMilliseconds = DatabaseDateEncodingStrategy.custom { EpochMilliseconds.from($0) }
}

extension DatabaseDateDecodingStrategy {
    /// The inverse of `DatabaseDateEncodingStrategy.storedMilliseconds`.
    static let storedMilliseconds = DatabaseDateDecodingStrategy.custom { value in
        Int64.fromDatabaseValue(value).map(EpochMilliseconds.date)
    }
}
