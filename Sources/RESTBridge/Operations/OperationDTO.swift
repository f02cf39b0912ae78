import Foundation
import Hummingbird
import LwM2M
import ResourceModel

/// One queued operation as JSON (`GET /api/v1/operations/{id}`, list items, live `OPERATION` events).
///
/// The request members mirror the body that queued it (`path` or `paths`, `value`, `values`, `arguments`,
/// `attributes`, `composite`); `result` is what the device answered; `history` (single-operation answers only)
/// lists every transition.
struct OperationDTO: Sendable, Equatable, ResponseEncodable {
    /// What the device answered.
    struct ResultDTO: Sendable, Equatable, Encodable {
        /// The CoAP response code, `"2.05"`.
        var code: String
        /// The content format of `content`/`contents`.
        var format: String?
        /// A Read's content.
        var content: NodeDTO?
        /// A Composite-Read's content by path.
        var contents: [String: NodeDTO]?
        /// A Discover's links.
        var links: [ResourceController.LinkDTO]?
        /// A Create's new instance path.
        var location: String?
        /// The observations an Observe made or a Cancel ended.
        var observationIds: [String]?

        init(_ result: OperationResult) {
            code = result.code
            format = result.format
            content = result.node.map(NodeDTO.init)
            contents = result.nodes.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key.description, NodeDTO($0.value)) }) }
            links = result.links?.map(ResourceController.LinkDTO.init)
            location = result.location?.description
            observationIds = result.observationIDs
        }
    }

    /// One transition.
    struct TransitionDTO: Sendable, Equatable, Encodable {
        /// The status before; absent for the entry that queued the operation.
        var from: String?
        /// The status after.
        var to: String
        /// When.
        var at: Date
        /// Why.
        var note: String?
    }

    var id: Int64
    var endpoint: String
    var kind: String
    var path: String?
    var paths: [String]
    var value: NodeDTO?
    var values: [String: NodeDTO]?
    var arguments: String?
    var attributes: NotificationAttributes?
    var composite: Bool?
    /// For `block-write`: which bytes of which value.
    var blockWrite: BlockWriteRange?
    var priority: Int
    var status: String
    var attempts: Int
    var maxAttempts: Int
    var retriesAllowed: Bool
    var createdAt: Date
    var notBefore: Date
    var expiresAt: Date?
    var updatedAt: Date
    var lastError: String?
    var result: ResultDTO?
    var history: [TransitionDTO]?

    /// The JSON form of `operation`, with `history` when given.
    init(_ operation: EndpointOperation, history: [OperationTransition]? = nil) {
        id = operation.id
        endpoint = operation.endpoint
        kind = operation.kind.rawValue
        paths = operation.request.paths.map(\.description)
        path = paths.count == 1 ? paths[0] : nil
        switch operation.request {
        case .device(let request):
            switch request {
            case .write(_, let node, _): value = NodeDTO(node)
            case .create(_, let instance): value = NodeDTO(.objectInstance(instance))
            case .writeComposite(let nodes):
                values = Dictionary(uniqueKeysWithValues: nodes.map { ($0.key.description, NodeDTO($0.value)) })
            case .execute(_, let text): arguments = text
            case .writeAttributes(_, let given): attributes = given
            case .read, .discover, .delete, .readComposite: break
            }
        case .observe(_, let given, let isComposite):
            attributes = given
            composite = isComposite
        case .cancelObserve: break
        case .blockWrite(let write):
            blockWrite = BlockWriteRange(write)
        }
        priority = operation.priority
        status = operation.status.rawValue
        attempts = operation.attempts
        maxAttempts = operation.maxAttempts
        retriesAllowed = operation.retriesAllowed
        createdAt = operation.createdAt
        notBefore = operation.notBefore
        expiresAt = operation.expiresAt
        updatedAt = operation.updatedAt
        lastError = operation.lastError
        result = operation.result.map(ResultDTO.init)
        self.history = history?.map {
            TransitionDTO(from: $0.from?.rawValue, to: $0.to.rawValue, at: $0.at, note: $0.note)
        }
    }
}

/// A page of operations (`GET /api/v1/operations`): newest first; `nextBefore` continues the listing.
struct OperationPageDTO: ResponseEncodable, Equatable {
    var operations: [OperationDTO]
    var nextBefore: Int64?
}

/// What queueing answers: `201` for `POST .../operations`, and the ids of a bulk request.
struct QueuedOperationsDTO: ResponseEncodable, Equatable {
    struct Item: Encodable, Equatable {
        var id: Int64
        var endpoint: String
        var status: String
    }

    var count: Int
    var ids: [Int64]
    var operations: [Item]
}
