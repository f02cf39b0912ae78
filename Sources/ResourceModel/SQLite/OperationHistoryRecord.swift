import Foundation
import GRDB

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
