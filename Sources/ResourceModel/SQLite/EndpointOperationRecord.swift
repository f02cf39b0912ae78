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
