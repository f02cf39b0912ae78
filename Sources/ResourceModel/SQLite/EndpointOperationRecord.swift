import Foundation
import GRDB
import LwM2M

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
