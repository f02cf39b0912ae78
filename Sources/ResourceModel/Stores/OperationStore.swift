import Foundation

/// The durable operation queue: operations per endpoint, their state (`OperationStateMachine`) and history.
/// Every change goes through the state machine in one transaction. `AppDatabase` implements it over SQLite.
public protocol OperationStore: Sendable {
    /// Queues `new` for each of `endpoints` atomically: all of them or, when a name is not stored, none
    /// (`OperationQueueError.unknownEndpoints`). Returns the operations in the order of `endpoints`.
    func enqueue(_ new: NewOperation, for endpoints: [String], at now: Date) async throws -> [EndpointOperation]

    /// `enqueue(_:for:at:)`, refusing all (`OperationQueueError.tooManyOpen`) when one of `endpoints` already has
    /// `maxOpenPerEndpoint` queued or sending operations (`nil`: no limit). Checked in the same transaction.
    func enqueue(_ new: NewOperation, for endpoints: [String], at now: Date, maxOpenPerEndpoint: Int?) async throws
        -> [EndpointOperation]

    /// The operation `id` with its full history, oldest first; `nil` when there is none.
    func operation(id: Int64) async throws -> (operation: EndpointOperation, history: [OperationTransition])?

    /// Operations, newest first (by id), optionally of one endpoint and/or in one status; `before` pages: only
    /// ids below it.
    func operations(endpoint: String?, status: OperationStatus?, before: Int64?, limit: Int) async throws
        -> [EndpointOperation]

    /// Feeds one event to the state machine of operation `id` and stores what it changed (with `result`, when
    /// the event is the device's answer) atomically. `nil` when there is no such operation.
    func transitionOperation(
        id: Int64, at now: Date, retryPolicy: OperationStateMachine.RetryPolicy, result: OperationResult?,
        _ event: @Sendable (inout OperationStateMachine) -> OperationStateMachine.Action
    ) async throws -> OperationChange?

    /// Marks the most urgent due operation of `endpoint` (highest priority, then oldest) as `sending` and returns
    /// it; due operations whose deadline passed on the way are expired and returned as `finished`. Atomic, so two
    /// dispatchers never claim the same operation.
    func claimNextOperation(endpoint: String, at now: Date, retryPolicy: OperationStateMachine.RetryPolicy)
        async throws -> (claimed: OperationChange?, finished: [OperationChange])

    /// Ids of operations that are not final and whose deadline is at or before `now`.
    func operationsPastDeadline(at now: Date) async throws -> [Int64]

    /// Ids of operations in `status`, ascending.
    func operationIDs(status: OperationStatus) async throws -> [Int64]

    /// Names of the endpoints with a queued operation due at `now`.
    func endpointsWithDueOperations(at now: Date) async throws -> [String]

    /// Deletes operations that reached a final status before `cutoff`, with their history; returns how many.
    /// Queued and in-flight operations are never deleted, however old.
    @discardableResult
    func pruneOperations(finishedBefore cutoff: Date) async throws -> Int
}
