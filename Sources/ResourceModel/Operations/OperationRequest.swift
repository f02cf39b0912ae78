import Foundation
import LwM2M

/// The kinds of operation the queue carries: every device-management operation plus Observe and Cancel
/// Observation. The raw values are the REST API's `kind` names.
public enum OperationKind: String, Sendable, Codable, CaseIterable {
    case read
    case write
    case partialWrite = "partial-write"
    case execute
    case create
    case delete
    case discover
    case writeAttributes = "write-attributes"
    case observe
    case cancelObserve = "cancel-observe"
    case compositeRead = "composite-read"
    case compositeWrite = "composite-write"
    /// A part of a block-wise Write of bytes the server holds (push delivery of a firmware package); made by
    /// modules, never by the REST API.
    case blockWrite = "block-write"

    /// Whether sending it twice has the same effect as once. Execute and Create are not (an Execute reboots
    /// twice, a second Create fails or makes a second instance): they are at-most-once unless the operator
    /// allows retries.
    public var isIdempotent: Bool {
        switch self {
        case .execute, .create: false
        case .read, .write, .partialWrite, .delete, .discover, .writeAttributes, .observe, .cancelObserve,
             .compositeRead, .compositeWrite, .blockWrite: true
        }
    }
}

/// What a queued operation sends: a device-management request, or an observation change (which goes through
/// `ObservationManagement` so the server tracks the observation like one made over REST).
public enum OperationRequest: Sendable, Equatable {
    /// A device-management request.
    case device(DeviceRequest)
    /// Observe `paths` (one composite observation when `composite`), writing `attributes` first when given.
    case observe(paths: [LwM2MPath], attributes: NotificationAttributes?, composite: Bool)
    /// Cancel the observations on exactly `paths`.
    case cancelObserve(paths: [LwM2MPath])
    /// Write a part of a value block by block (`BlockWrite`).
    case blockWrite(BlockWrite)

    /// The operation's kind.
    public var kind: OperationKind {
        switch self {
        case .device(let request):
            switch request {
            case .read: .read
            case .discover: .discover
            case .write(_, _, mode: .replace): .write
            case .write(_, _, mode: .update): .partialWrite
            case .writeAttributes: .writeAttributes
            case .execute: .execute
            case .create: .create
            case .delete: .delete
            case .readComposite: .compositeRead
            case .writeComposite: .compositeWrite
            }
        case .observe: .observe
        case .cancelObserve: .cancelObserve
        case .blockWrite: .blockWrite
        }
    }

    /// The target paths, in order.
    public var paths: [LwM2MPath] {
        switch self {
        case .device(let request):
            switch request {
            case .read(let path), .discover(let path), .write(let path, _, _), .writeAttributes(let path, _),
                 .execute(let path, _), .delete(let path):
                [path]
            case .create(let objectID, _): [LwM2MPath(objectID: objectID)]
            case .readComposite(let paths): paths
            case .writeComposite(let nodes): nodes.keys.sorted()
            }
        case .observe(let paths, _, _), .cancelObserve(let paths): paths
        case .blockWrite(let write): [write.path]
        }
    }

    /// The stored form of everything but the kind and the paths (`endpoint_operation.payload`).
    var payload: OperationPayload? {
        switch self {
        case .device(let request):
            switch request {
            case .read, .discover, .delete, .readComposite: nil
            case .write(_, let node, _): OperationPayload(node: StoredNode(node))
            case .writeAttributes(_, let attributes): OperationPayload(attributes: attributes)
            case .execute(_, let arguments): arguments.map { OperationPayload(arguments: $0) }
            case .create(_, let instance): OperationPayload(node: StoredNode(.objectInstance(instance)))
            case .writeComposite(let nodes):
                OperationPayload(nodes: Dictionary(uniqueKeysWithValues: nodes.map { ($0.key.description, StoredNode($0.value)) }))
            }
        case .observe(_, let attributes, let composite):
            OperationPayload(attributes: attributes, composite: composite ? true : nil)
        case .cancelObserve: nil
        case .blockWrite(let write): OperationPayload(blockWrite: BlockWriteRange(write))
        }
    }

    /// Rebuilds a request from its stored columns.
    init(kind: OperationKind, paths: [LwM2MPath], payload: OperationPayload?) throws {
        func path() throws -> LwM2MPath {
            guard paths.count == 1 else { throw StoredNode.malformed("\(kind.rawValue) needs exactly one path") }
            return paths[0]
        }
        func node() throws -> LwM2MNode {
            guard let stored = payload?.node else { throw StoredNode.malformed("\(kind.rawValue) without a node") }
            return try stored.node()
        }
        switch kind {
        case .read: self = .device(.read(try path()))
        case .discover: self = .device(.discover(try path()))
        case .delete: self = .device(.delete(try path()))
        case .write: self = .device(.write(try path(), try node(), mode: .replace))
        case .partialWrite: self = .device(.write(try path(), try node(), mode: .update))
        case .writeAttributes:
            self = .device(.writeAttributes(try path(), payload?.attributes ?? NotificationAttributes()))
        case .execute: self = .device(.execute(try path(), arguments: payload?.arguments))
        case .create:
            guard case .objectInstance(let instance) = try node(), let objectID = try path().objectID else {
                throw StoredNode.malformed("create without an object instance")
            }
            self = .device(.create(objectID: objectID, instance: instance))
        case .compositeRead: self = .device(.readComposite(paths))
        case .compositeWrite:
            var nodes: [LwM2MPath: LwM2MNode] = [:]
            for (key, stored) in payload?.nodes ?? [:] { nodes[try LwM2MPath(key)] = try stored.node() }
            self = .device(.writeComposite(nodes))
        case .observe:
            self = .observe(paths: paths, attributes: payload?.attributes, composite: payload?.composite ?? false)
        case .cancelObserve: self = .cancelObserve(paths: paths)
        case .blockWrite:
            guard let stored = payload?.blockWrite else { throw StoredNode.malformed("block-write without its range") }
            self = .blockWrite(stored.blockWrite(path: try path()))
        }
    }
}

/// `endpoint_operation.payload`: the parts of an `OperationRequest` beyond kind and paths.
struct OperationPayload: Codable, Equatable, Sendable {
    var node: StoredNode?
    var nodes: [String: StoredNode]?
    var arguments: String?
    var attributes: NotificationAttributes?
    var composite: Bool?
    var blockWrite: BlockWriteRange?
}
