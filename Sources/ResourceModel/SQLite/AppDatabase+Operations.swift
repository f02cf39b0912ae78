import Foundation
import GRDB
import LwM2M

extension AppDatabase: OperationStore {
    /// Queues `new` for each of `endpoints` in ONE transaction: all of them or, when a name is unknown, none.
    /// Returns the operations in the order of `endpoints`.
    public func enqueue(_ new: NewOperation, for endpoints: [String], at now: Date = Date()) async throws
        -> [EndpointOperation]
    {
        try await enqueue(new, for: endpoints, at: now, maxOpenPerEndpoint: nil)
    }

    /// Queues `new` for each of `endpoints` unless one of them has `maxOpenPerEndpoint` open operations already.
    public func enqueue(_ new: NewOperation, for endpoints: [String], at now: Date, maxOpenPerEndpoint: Int?)
        async throws -> [EndpointOperation]
    {
        try await writer.write { db in
            var ids: [String: Int64] = [:]
            for chunk in stride(from: 0, to: endpoints.count, by: 500).map({ Array(endpoints[$0..<min($0 + 500, endpoints.count)]) }) {
                let rows = try Row.fetchAll(
                    db, sql: "SELECT id, name FROM endpoint WHERE name IN (\(chunk.map { _ in "?" }.joined(separator: ",")))",
                    arguments: StatementArguments(chunk))
                for row in rows { ids[row["name"]] = row["id"] }
            }
            let missing = endpoints.filter { ids[$0] == nil }
            guard missing.isEmpty else { throw OperationQueueError.unknownEndpoints(missing) }
            if let limit = maxOpenPerEndpoint {
                var open: [Int64: Int] = [:]
                let wanted = Array(Set(ids.values))
                for start in stride(from: 0, to: wanted.count, by: 500) {
                    let chunk = Array(wanted[start..<min(start + 500, wanted.count)])
                    for row in try Row.fetchAll(db, sql: """
                        SELECT endpointId, COUNT(*) AS open FROM endpoint_operation
                        WHERE status IN ('queued', 'sending') AND endpointId IN (\(chunk.map { _ in "?" }.joined(separator: ",")))
                        GROUP BY endpointId
                        """, arguments: StatementArguments(chunk)) {
                        open[row["endpointId"]] = row["open"]
                    }
                }
                let full = endpoints.filter { (open[ids[$0]!] ?? 0) + 1 > limit }
                if !full.isEmpty { throw OperationQueueError.tooManyOpen(full, limit: limit) }
            }
            return try endpoints.map { name in
                var record = EndpointOperationRecord(
                    id: nil, endpointId: ids[name]!, kind: new.request.kind.rawValue,
                    paths: new.request.paths.map(\.description), payload: new.request.payload, priority: new.priority,
                    status: OperationStatus.queued.rawValue, attempts: 0, maxAttempts: max(1, new.maxAttempts),
                    retriesAllowed: new.retriesAllowed, createdAt: now, notBefore: new.notBefore ?? now,
                    expiresAt: new.expiresAt, lastError: nil, result: nil, updatedAt: now)
                try record.insert(db)
                try OperationHistoryRecord(operationId: record.id!, fromStatus: nil, toStatus: OperationStatus.queued.rawValue,
                                           at: now, note: "queued").insert(db)
                return try record.operation(endpoint: name)
            }
        }
    }

    /// The operation `id` with its full history, oldest first; `nil` when there is none.
    public func operation(id: Int64) async throws -> (operation: EndpointOperation, history: [OperationTransition])? {
        try await writer.read { db in
            guard let operation = try Self.fetchOperations(db, where: "o.id = ?", arguments: [id]).first else {
                return nil
            }
            let history = try OperationHistoryRecord
                .filter(Column("operationId") == id).order(Column("at"), Column("id")).fetchAll(db)
            return (operation, history.map(\.transition))
        }
    }

    /// Operations, newest first, optionally of one endpoint and/or in one status, paged by id (`before`: only
    /// ids below it).
    public func operations(endpoint: String? = nil, status: OperationStatus? = nil, before: Int64? = nil,
                           limit: Int = 100) async throws -> [EndpointOperation] {
        try await writer.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let endpoint { conditions.append("e.name = ?"); arguments += [endpoint] }
            if let status { conditions.append("o.status = ?"); arguments += [status.rawValue] }
            if let before { conditions.append("o.id < ?"); arguments += [before] }
            arguments += [limit]
            return try Self.fetchOperations(
                db, where: conditions.isEmpty ? "1" : conditions.joined(separator: " AND "),
                suffix: "ORDER BY o.id DESC LIMIT ?", arguments: arguments)
        }
    }

    /// Feeds one event to the state machine of operation `id` and stores what it changed (with `result`, when
    /// the event is the device's answer), in one transaction. `nil` when there is no such operation.
    public func transitionOperation(
        id: Int64, at now: Date, retryPolicy: OperationStateMachine.RetryPolicy = .init(), result: OperationResult? = nil,
        _ event: @Sendable (inout OperationStateMachine) -> OperationStateMachine.Action
    ) async throws -> OperationChange? {
        try await writer.write { db in
            guard var record = try EndpointOperationRecord.fetchOne(db, key: id) else { return nil }
            let name = try String.fetchOne(db, sql: "SELECT name FROM endpoint WHERE id = ?", arguments: [record.endpointId]) ?? ""
            return try Self.apply(event, to: &record, endpoint: name, at: now, retryPolicy: retryPolicy, result: result, in: db)
        }
    }

    /// Marks the most urgent due operation of `endpoint` as `sending` (an attempt starts) and returns it;
    /// due operations whose deadline has passed on the way are expired. All in one transaction, so two
    /// dispatchers never claim the same operation.
    public func claimNextOperation(endpoint: String, at now: Date, retryPolicy: OperationStateMachine.RetryPolicy) async throws
        -> (claimed: OperationChange?, finished: [OperationChange])
    {
        // Most pumps find nothing (every registration and update asks): a read answers those without taking
        // the write lock.
        let anyDue = try await writer.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM endpoint_operation AS o JOIN endpoint AS e ON e.id = o.endpointId
                               WHERE e.name = ? AND o.status = 'queued' AND o.notBefore <= ?)
                """, arguments: [endpoint, EpochMilliseconds.from(now)]) ?? false
        }
        guard anyDue else { return (nil, []) }
        return try await writer.write { db in
            var finished: [OperationChange] = []
            while true {
                let row = try Row.fetchOne(db, sql: """
                    SELECT o.* FROM endpoint_operation AS o JOIN endpoint AS e ON e.id = o.endpointId
                    WHERE e.name = ? AND o.status = 'queued' AND o.notBefore <= ?
                    ORDER BY o.priority DESC, o.createdAt, o.id LIMIT 1
                    """, arguments: [endpoint, EpochMilliseconds.from(now)])
                guard let row else { return (nil, finished) }
                var record = try EndpointOperationRecord(row: row)
                let change = try Self.apply({ $0.dispatch(now: now) }, to: &record, endpoint: endpoint, at: now,
                                            retryPolicy: retryPolicy, result: nil, in: db)
                switch change.action {
                case .send: return (change, finished)
                case .finished: finished.append(change)
                case .ready, .waitUntil, .rejected: return (nil, finished)
                }
            }
        }
    }

    /// Ids of operations that are not final and whose deadline is at or before `now`.
    public func operationsPastDeadline(at now: Date) async throws -> [Int64] {
        try await writer.read { db in
            try Int64.fetchAll(db, sql: """
                SELECT id FROM endpoint_operation
                WHERE status IN ('queued', 'sending') AND expiresAt IS NOT NULL AND expiresAt <= ?
                """, arguments: [EpochMilliseconds.from(now)])
        }
    }

    /// Deletes operations that reached a final status before `cutoff`, with their history; returns how many.
    /// Queued and in-flight operations are never deleted, however old.
    @discardableResult
    public func pruneOperations(finishedBefore cutoff: Date) async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: """
                DELETE FROM endpoint_operation
                WHERE status IN ('succeeded', 'failed', 'expired', 'cancelled') AND updatedAt < ?
                """, arguments: [EpochMilliseconds.from(cutoff)])
            return db.changesCount
        }
    }

    /// Ids of operations in `status`.
    public func operationIDs(status: OperationStatus) async throws -> [Int64] {
        try await writer.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM endpoint_operation WHERE status = ? ORDER BY id",
                               arguments: [status.rawValue])
        }
    }

    /// Names of the endpoints with a queued operation due at `now`.
    public func endpointsWithDueOperations(at now: Date) async throws -> [String] {
        try await writer.read { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT e.name FROM endpoint_operation AS o JOIN endpoint AS e ON e.id = o.endpointId
                WHERE o.status = 'queued' AND o.notBefore <= ?
                """, arguments: [EpochMilliseconds.from(now)])
        }
    }

    // MARK: - Helpers

    private static func fetchOperations(_ db: Database, where condition: String, suffix: String = "",
                                        arguments: StatementArguments) throws -> [EndpointOperation] {
        try Row.fetchAll(db, sql: """
            SELECT o.*, e.name AS endpointName FROM endpoint_operation AS o JOIN endpoint AS e ON e.id = o.endpointId
            WHERE \(condition) \(suffix)
            """, arguments: arguments).map { row in
            try EndpointOperationRecord(row: row).operation(endpoint: row["endpointName"])
        }
    }

    private static func apply(
        _ event: (inout OperationStateMachine) -> OperationStateMachine.Action, to record: inout EndpointOperationRecord,
        endpoint: String, at now: Date, retryPolicy: OperationStateMachine.RetryPolicy, result: OperationResult?,
        in db: Database
    ) throws -> OperationChange {
        var machine = try record.operation(endpoint: endpoint).stateMachine(retryPolicy: retryPolicy)
        let action = event(&machine)
        if !machine.history.isEmpty {
            record.apply(machine, at: now)
            if let result { record.result = StoredOperationResult(result) }
            try record.update(db)
            for transition in machine.history {
                try OperationHistoryRecord(
                    operationId: record.id!, fromStatus: transition.from.rawValue, toStatus: transition.to.rawValue,
                    at: transition.at, note: transition.note
                ).insert(db)
            }
        }
        return OperationChange(operation: try record.operation(endpoint: endpoint), transitions: machine.history,
                               action: action)
    }
}
