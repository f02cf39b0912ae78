import Foundation
import LwM2M
import Testing

@testable import ResourceModel

/// The operation queue's storage: queueing all-or-nothing, claiming in priority then age order, transitions
/// with their history, and the stored form of every request kind.
@Suite("Operation queue storage")
struct OperationQueueTests {
    static let policy = OperationStateMachine.RetryPolicy(baseDelay: 2, maxDelay: 60, jitter: 0)

    static func database(endpoints: [String] = ["dev-1", "dev-2"]) async throws -> AppDatabase {
        let database = try AppDatabase.inMemory()
        try await database.apply(endpoints.enumerated().map {
            .registered(makeRegistration(endpoint: $0.element, id: "reg-\($0.offset)"), replaced: nil)
        })
        return database
    }

    static func write(_ path: String, _ value: Int64) throws -> OperationRequest {
        let path = try LwM2MPath(path)
        return .device(.write(path, .resource(.single(id: path.resourceID!, value: .integer(value))), mode: .replace))
    }

    @Test("queueing for several endpoints stores one operation each, with a 'queued' history entry")
    func enqueueMany() async throws {
        let database = try await Self.database()
        let queued = try await database.enqueue(
            NewOperation(request: try Self.write("/1/0/1", 300), priority: 5, expiresAt: t0.addingTimeInterval(60)),
            for: ["dev-2", "dev-1"], at: t0)
        #expect(queued.map(\.endpoint) == ["dev-2", "dev-1"])
        #expect(queued.allSatisfy { $0.status == .queued && $0.attempts == 0 && $0.priority == 5 && $0.retriesAllowed })
        let (stored, history) = try #require(try await database.operation(id: queued[0].id))
        #expect(stored == queued[0])
        #expect(stored.request == (try Self.write("/1/0/1", 300)))
        #expect(history == [OperationTransition(from: nil, to: .queued, at: t0, note: "queued")])
    }

    @Test("an unknown endpoint among many queues nothing")
    func allOrNothing() async throws {
        let database = try await Self.database()
        await #expect(throws: OperationQueueError.unknownEndpoints(["ghost"])) {
            try await database.enqueue(NewOperation(request: .device(.read(try LwM2MPath("/3/0")))),
                                       for: ["dev-1", "ghost", "dev-2"], at: t0)
        }
        #expect(try await database.operations().isEmpty)
    }

    @Test("claims go by priority, then age; each claim makes the operation 'sending'")
    func claimOrder() async throws {
        let database = try await Self.database()
        let low = try await database.enqueue(NewOperation(request: .device(.read(try LwM2MPath("/3/0/0"))), priority: 1),
                                             for: ["dev-1"], at: t0)[0]
        let highOld = try await database.enqueue(NewOperation(request: .device(.read(try LwM2MPath("/3/0/1"))), priority: 9),
                                                 for: ["dev-1"], at: t0.addingTimeInterval(1))[0]
        let highNew = try await database.enqueue(NewOperation(request: .device(.read(try LwM2MPath("/3/0/2"))), priority: 9),
                                                 for: ["dev-1"], at: t0.addingTimeInterval(2))[0]
        _ = try await database.enqueue(NewOperation(request: .device(.read(try LwM2MPath("/3/0/3"))), priority: 99),
                                       for: ["dev-2"], at: t0)
        var order: [Int64] = []
        for step in 0..<4 {
            let claim = try await database.claimNextOperation(
                endpoint: "dev-1", at: t0.addingTimeInterval(10 + Double(step)), retryPolicy: Self.policy)
            guard let claimed = claim.claimed else { break }
            #expect(claimed.operation.status == .sending && claimed.operation.attempts == 1)
            order.append(claimed.operation.id)
        }
        #expect(order == [highOld.id, highNew.id, low.id])
        #expect(try await database.operations(endpoint: "dev-2", status: .queued).count == 1)
    }

    @Test("a due operation past its deadline is expired on the way, never claimed")
    func expiredNotClaimed() async throws {
        let database = try await Self.database()
        let stale = try await database.enqueue(
            NewOperation(request: .device(.execute(try LwM2MPath("/3/0/4"), arguments: nil)), priority: 10,
                         expiresAt: t0.addingTimeInterval(5)), for: ["dev-1"], at: t0)[0]
        let fresh = try await database.enqueue(NewOperation(request: .device(.read(try LwM2MPath("/3/0/0")))),
                                               for: ["dev-1"], at: t0)[0]
        let claim = try await database.claimNextOperation(endpoint: "dev-1", at: t0.addingTimeInterval(6), retryPolicy: Self.policy)
        #expect(claim.claimed?.operation.id == fresh.id)
        #expect(claim.finished.map(\.operation.id) == [stale.id])
        #expect(try await database.operation(id: stale.id)?.operation.status == .expired)
        #expect(try await database.operation(id: stale.id)?.operation.attempts == 0)
    }

    @Test("not claimed before notBefore; a retry waits for its back-off")
    func notBefore() async throws {
        let database = try await Self.database()
        let operation = try await database.enqueue(
            NewOperation(request: .device(.read(try LwM2MPath("/3/0/0"))), notBefore: t0.addingTimeInterval(30)),
            for: ["dev-1"], at: t0)[0]
        #expect(try await database.claimNextOperation(endpoint: "dev-1", at: t0.addingTimeInterval(29), retryPolicy: Self.policy).claimed == nil)
        let claimed = try await database.claimNextOperation(endpoint: "dev-1", at: t0.addingTimeInterval(30), retryPolicy: Self.policy)
        #expect(claimed.claimed?.operation.id == operation.id)
        let now = t0.addingTimeInterval(31)
        let change = try #require(try await database.transitionOperation(id: operation.id, at: now, retryPolicy: Self.policy) {
            $0.transientFailure(now: now, error: "timeout", requestMayHaveArrived: true, unit: 0.5)
        })
        #expect(change.operation.status == .queued)
        #expect(change.operation.notBefore == now.addingTimeInterval(2))
        #expect(try await database.endpointsWithDueOperations(at: now.addingTimeInterval(1.9)).isEmpty)
        #expect(try await database.endpointsWithDueOperations(at: now.addingTimeInterval(2)) == ["dev-1"])
    }

    @Test("a transition stores the result and appends to the history in order")
    func transitionsAndHistory() async throws {
        let database = try await Self.database()
        let operation = try await database.enqueue(NewOperation(request: .device(.read(try LwM2MPath("/3/0/0")))),
                                                   for: ["dev-1"], at: t0)[0]
        _ = try await database.claimNextOperation(endpoint: "dev-1", at: t0.addingTimeInterval(1), retryPolicy: Self.policy)
        let node = LwM2MNode.resource(.single(id: 0, value: .string("ACME")))
        let result = OperationResult(.content(node, format: .senmlJSON))
        let done = t0.addingTimeInterval(2)
        _ = try await database.transitionOperation(id: operation.id, at: done, retryPolicy: Self.policy, result: result) {
            $0.succeeded(now: done)
        }
        let (stored, history) = try #require(try await database.operation(id: operation.id))
        #expect(stored.status == .succeeded)
        #expect(stored.result == result)
        #expect(stored.result?.node == node)
        #expect(history.map(\.to) == [.queued, .sending, .succeeded])
        #expect(history.map(\.from) == [nil, .queued, .sending])
        // A second answer does not apply and records nothing.
        let late = try #require(try await database.transitionOperation(id: operation.id, at: done, retryPolicy: Self.policy) {
            $0.failed(now: done, error: "late")
        })
        #expect(late.transitions.isEmpty)
        #expect(try await database.operation(id: operation.id)?.history.count == 3)
    }

    @Test("pruning deletes finished operations older than the cutoff with their history, never queued ones")
    func prune() async throws {
        let database = try await Self.database()
        let read = NewOperation(request: .device(.read(try LwM2MPath("/3/0/0"))))
        let oldQueued = try await database.enqueue(read, for: ["dev-1"], at: t0)[0]
        let oldFinished = try await database.enqueue(read, for: ["dev-1"], at: t0)[0]
        let recentFinished = try await database.enqueue(read, for: ["dev-2"], at: t0)[0]
        _ = try await database.transitionOperation(id: oldFinished.id, at: t0.addingTimeInterval(10)) { $0.cancel(now: t0.addingTimeInterval(10)) }
        _ = try await database.transitionOperation(id: recentFinished.id, at: t0.addingTimeInterval(100)) { $0.cancel(now: t0.addingTimeInterval(100)) }
        #expect(try await database.pruneOperations(finishedBefore: t0.addingTimeInterval(50)) == 1)
        #expect(try await database.operation(id: oldFinished.id) == nil)
        #expect(try await database.operation(id: oldQueued.id) != nil)
        #expect(try await database.operation(id: recentFinished.id)?.history.count == 2)
        let orphans = try await database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM endpoint_operation_history WHERE operationId = ?", arguments: [oldFinished.id])
        }
        #expect(orphans == 0)
    }

    @Test("every request kind reads back as queued", arguments: try requests())
    func storedForms(request: OperationRequest) async throws {
        let database = try await Self.database()
        let queued = try await database.enqueue(NewOperation(request: request), for: ["dev-1"], at: t0)[0]
        #expect(try await database.operation(id: queued.id)?.operation.request == request)
        #expect(queued.kind == request.kind)
    }

    static func requests() throws -> [OperationRequest] {
        let instance = try LwM2MObjectInstance(id: 1, resources: [
            .single(id: 0, value: .string("coap://example.net")),
            .single(id: 1, value: .boolean(true)),
            .single(id: 2, value: .opaque([0, 255, 7])),
            .single(id: 3, value: .float(21.5)),
            .single(id: 4, value: .float(.infinity)),
            .single(id: 5, value: .objlnk(objectID: 3, instanceID: 0)),
            .single(id: 6, value: .time(1_795_395_723)),
            .single(id: 7, value: .unsignedInteger(UInt64.max)),
            .single(id: 8, value: .integer(-5)),
            try .multiple(id: 9, type: .integer, instances: [0: .integer(1), 7: .integer(2)]),
            .single(id: 10, value: .corelnk([WebLink(target: "/3/0", parameters: [])])),
            .single(id: 11, value: .float(2)),
        ])
        var attributes = NotificationAttributes(pmin: 5, gt: 20.5)
        attributes.unset = ["lt"]
        return [
            .device(.read(try LwM2MPath("/3/0"))),
            .device(.discover(try LwM2MPath("/3"))),
            .device(.write(try LwM2MPath("/30000/1"), .objectInstance(instance), mode: .replace)),
            .device(.write(try LwM2MPath("/3/0/14"), .resource(.single(id: 14, value: .string("+02:00"))), mode: .update)),
            .device(.write(try LwM2MPath("/3/0/9/1"), .resourceInstance(.init(id: 1, value: .integer(4))), mode: .replace)),
            .device(.writeAttributes(try LwM2MPath("/3/0/9"), attributes)),
            .device(.execute(try LwM2MPath("/3/0/4"), arguments: "0='x'")),
            .device(.execute(try LwM2MPath("/3/0/4"), arguments: nil)),
            .device(.create(objectID: 30000, instance: instance)),
            .device(.delete(try LwM2MPath("/30000/1"))),
            .device(.readComposite([try LwM2MPath("/3/0/0"), try LwM2MPath("/3303/0/5700")])),
            .device(.writeComposite([try LwM2MPath("/3/0/14"): .resource(.single(id: 14, value: .string("Z")))])),
            .observe(paths: [try LwM2MPath("/3303/0/5700")], attributes: attributes, composite: false),
            .observe(paths: [try LwM2MPath("/3/0/0"), try LwM2MPath("/3/0/9")], attributes: nil, composite: true),
            .cancelObserve(paths: [try LwM2MPath("/3303/0/5700")]),
        ]
    }

    @Test("a corrupt stored node is an error, not a crash")
    func corruptNode() throws {
        let json = #"{"kind":"resource","id":1,"type":"integer","value":"not a number"}"#
        let stored = try JSONDecoder().decode(StoredNode.self, from: Data(json.utf8))
        #expect(throws: LwM2MCodecError.self) { try stored.node() }
    }
}
