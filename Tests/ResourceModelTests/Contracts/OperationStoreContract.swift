import Foundation
import LwM2M
import Testing

@testable import ResourceModel

/// The `OperationStore` contract, for every backend in `storeFactories`.
@Suite("OperationStore contract")
struct OperationStoreContract {
    static let policy = OperationStateMachine.RetryPolicy(baseDelay: 2, maxDelay: 60, jitter: 0)

    static func read(_ path: String, priority: Int = 0, notBefore: Date? = nil, expiresAt: Date? = nil) -> NewOperation {
        NewOperation(request: .device(.read(try! LwM2MPath(path))), priority: priority, notBefore: notBefore,
                     expiresAt: expiresAt)
    }

    static func seeded(_ factory: StoreFactory) async throws -> any OperationStore {
        let stores = try factory.make()
        try await stores.register(["dev-1", "dev-2"])
        return stores.operations
    }

    @Test("queueing is all or nothing and answers in the order of the names", arguments: storeFactories)
    func enqueue(_ factory: StoreFactory) async throws {
        let store = try await Self.seeded(factory)
        await #expect(throws: OperationQueueError.unknownEndpoints(["ghost"])) {
            try await store.enqueue(Self.read("/3/0"), for: ["dev-1", "ghost"], at: t0)
        }
        #expect(try await store.operations(endpoint: nil, status: nil, before: nil, limit: 100).isEmpty)
        let queued = try await store.enqueue(Self.read("/3/0", priority: 4), for: ["dev-2", "dev-1"], at: t0)
        #expect(queued.map(\.endpoint) == ["dev-2", "dev-1"])
        #expect(queued.allSatisfy { $0.status == .queued && $0.attempts == 0 && $0.priority == 4 })
        let (stored, history) = try #require(try await store.operation(id: queued[0].id))
        #expect(stored == queued[0])
        #expect(history == [OperationTransition(from: nil, to: .queued, at: t0, note: "queued")])
        #expect(try await store.operation(id: 999_999) == nil)
    }

    @Test("listing is newest first, filters by endpoint and status, and pages with before", arguments: storeFactories)
    func listing(_ factory: StoreFactory) async throws {
        let store = try await Self.seeded(factory)
        var ids: [Int64] = []
        for index in 0..<4 {
            ids += try await store.enqueue(Self.read("/3/0/\(index)"), for: [index == 3 ? "dev-2" : "dev-1"], at: t0)
                .map(\.id)
        }
        func list(_ endpoint: String? = nil, _ status: OperationStatus? = nil, before: Int64? = nil, limit: Int = 100)
            async throws -> [Int64]
        {
            try await store.operations(endpoint: endpoint, status: status, before: before, limit: limit).map(\.id)
        }
        #expect(try await list() == ids.reversed())
        #expect(try await list("dev-1") == [ids[2], ids[1], ids[0]])
        #expect(try await list(limit: 2) == [ids[3], ids[2]])
        #expect(try await list(before: ids[2], limit: 2) == [ids[1], ids[0]])
        #expect(try await list(before: ids[0]) == [])
        _ = try await store.transitionOperation(id: ids[1], at: t0, retryPolicy: Self.policy, result: nil) {
            $0.cancel(now: t0)
        }
        #expect(try await list(nil, .cancelled) == [ids[1]])
        #expect(try await list("dev-1", .queued) == [ids[2], ids[0]])
    }

    @Test("claims go by priority then age, only when due, and make the operation sending", arguments: storeFactories)
    func claims(_ factory: StoreFactory) async throws {
        let store = try await Self.seeded(factory)
        let low = try await store.enqueue(Self.read("/3/0/0", priority: 1), for: ["dev-1"], at: t0)[0]
        let high = try await store.enqueue(Self.read("/3/0/1", priority: 9), for: ["dev-1"], at: t0.addingTimeInterval(1))[0]
        let later = try await store.enqueue(
            Self.read("/3/0/2", priority: 99, notBefore: t0.addingTimeInterval(100)), for: ["dev-1"], at: t0)[0]
        #expect(try await store.endpointsWithDueOperations(at: t0.addingTimeInterval(10)) == ["dev-1"])

        let now = t0.addingTimeInterval(10)
        let first = try await store.claimNextOperation(endpoint: "dev-1", at: now, retryPolicy: Self.policy)
        #expect(first.claimed?.operation.id == high.id)
        #expect(first.claimed?.operation.status == .sending)
        #expect(first.claimed?.operation.attempts == 1)
        #expect(first.claimed?.transitions.map(\.to) == [.sending])
        let second = try await store.claimNextOperation(endpoint: "dev-1", at: now, retryPolicy: Self.policy)
        #expect(second.claimed?.operation.id == low.id)
        let none = try await store.claimNextOperation(endpoint: "dev-1", at: now, retryPolicy: Self.policy)
        #expect(none.claimed == nil)
        #expect(try await store.operationIDs(status: .sending) == [low.id, high.id].sorted())
        #expect(try await store.claimNextOperation(endpoint: "dev-2", at: now, retryPolicy: Self.policy).claimed == nil)
        let due = try await store.claimNextOperation(
            endpoint: "dev-1", at: t0.addingTimeInterval(100), retryPolicy: Self.policy)
        #expect(due.claimed?.operation.id == later.id)
    }

    @Test("transitions follow the state machine and record history; an unknown id is nil", arguments: storeFactories)
    func transitions(_ factory: StoreFactory) async throws {
        let store = try await Self.seeded(factory)
        let operation = try await store.enqueue(Self.read("/3/0/0"), for: ["dev-1"], at: t0)[0]
        let claimed = try await store.claimNextOperation(endpoint: "dev-1", at: t0, retryPolicy: Self.policy)
        #expect(claimed.claimed?.operation.id == operation.id)
        let done = try #require(try await store.transitionOperation(
            id: operation.id, at: t0.addingTimeInterval(1), retryPolicy: Self.policy,
            result: OperationResult(code: "2.05")) { $0.succeeded(now: t0.addingTimeInterval(1)) })
        #expect(done.operation.status == .succeeded)
        #expect(done.operation.result == OperationResult(code: "2.05"))
        let again = try #require(try await store.transitionOperation(
            id: operation.id, at: t0.addingTimeInterval(2), retryPolicy: Self.policy, result: nil) {
                $0.cancel(now: t0.addingTimeInterval(2))
            })
        #expect(again.transitions.isEmpty)
        #expect(again.operation.status == .succeeded)
        let history = try #require(try await store.operation(id: operation.id)).history
        #expect(history.map(\.to) == [.queued, .sending, .succeeded])
        #expect(try await store.transitionOperation(id: 424_242, at: t0, retryPolicy: Self.policy, result: nil) {
            $0.cancel(now: t0)
        } == nil)
    }

    @Test("deadlines: operations past theirs are listed, and ticking expires them", arguments: storeFactories)
    func deadlines(_ factory: StoreFactory) async throws {
        let store = try await Self.seeded(factory)
        let soon = try await store.enqueue(Self.read("/3/0/0", expiresAt: t0.addingTimeInterval(5)), for: ["dev-1"], at: t0)[0]
        _ = try await store.enqueue(Self.read("/3/0/1", expiresAt: t0.addingTimeInterval(500)), for: ["dev-1"], at: t0)
        _ = try await store.enqueue(Self.read("/3/0/2"), for: ["dev-2"], at: t0)
        #expect(try await store.operationsPastDeadline(at: t0.addingTimeInterval(4)) == [])
        #expect(try await store.operationsPastDeadline(at: t0.addingTimeInterval(5)) == [soon.id])
        let expired = try await store.transitionOperation(
            id: soon.id, at: t0.addingTimeInterval(6), retryPolicy: Self.policy, result: nil) {
                $0.tick(now: t0.addingTimeInterval(6))
            }
        #expect(expired?.operation.status == .expired)
        #expect(try await store.operationsPastDeadline(at: t0.addingTimeInterval(6)) == [])
    }

    @Test("pruning deletes only operations finished before the cutoff and counts them", arguments: storeFactories)
    func prune(_ factory: StoreFactory) async throws {
        let store = try await Self.seeded(factory)
        let ops = try await store.enqueue(Self.read("/3/0/0"), for: ["dev-1", "dev-2"], at: t0)
        let kept = try await store.enqueue(Self.read("/3/0/1"), for: ["dev-1"], at: t0)[0]
        _ = try await store.transitionOperation(id: ops[0].id, at: t0.addingTimeInterval(1), retryPolicy: Self.policy,
                                                result: nil) { $0.cancel(now: t0.addingTimeInterval(1)) }
        _ = try await store.transitionOperation(id: ops[1].id, at: t0.addingTimeInterval(50), retryPolicy: Self.policy,
                                                result: nil) { $0.cancel(now: t0.addingTimeInterval(50)) }
        #expect(try await store.pruneOperations(finishedBefore: t0.addingTimeInterval(10)) == 1)
        #expect(try await store.operation(id: ops[0].id) == nil)
        #expect(try await store.operation(id: ops[1].id) != nil)
        #expect(try await store.pruneOperations(finishedBefore: t0.addingTimeInterval(10)) == 0)
        #expect(try await store.pruneOperations(finishedBefore: t0.addingTimeInterval(1000)) == 1)
        #expect(try await store.operations(endpoint: nil, status: nil, before: nil, limit: 100).map(\.id) == [kept.id])
    }
}
