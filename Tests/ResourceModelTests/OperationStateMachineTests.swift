import Foundation
import Testing

@testable import ResourceModel

/// Every transition of a queued operation, with time passed in (no sleeping).
struct OperationStateMachineTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    @Test func queuedSendingSucceeded() {
        var op = OperationStateMachine(createdAt: t0, retriesAllowed: true)
        #expect(op.status == .queued)
        #expect(op.dispatch(now: at(1)) == .send)
        #expect(op.status == .sending && op.attempts == 1)
        #expect(op.succeeded(now: at(2)) == .finished(.succeeded))
        #expect(op.history.map(\.to) == [.queued, .sending, .succeeded])
        #expect(op.history.last?.at == at(2))
        #expect(op.dispatch(now: at(3)) == .rejected("cannot send an operation that is succeeded"))
    }

    @Test func deviceErrorFailsWithoutRetry() {
        var op = OperationStateMachine(createdAt: t0, maxAttempts: 5, retriesAllowed: true)
        _ = op.dispatch(now: t0)
        #expect(op.failed(now: at(1), error: "4.04 Not Found") == .finished(.failed))
        #expect(op.lastError == "4.04 Not Found")
        #expect(op.attempts == 1)
    }

    @Test func transientFailuresBackOffExponentiallyThenFail() {
        let policy = OperationStateMachine.RetryPolicy(baseDelay: 2, maxDelay: 300, jitter: 0)
        var op = OperationStateMachine(createdAt: t0, maxAttempts: 3, retriesAllowed: true, retryPolicy: policy)
        #expect(op.dispatch(now: t0) == .send)
        #expect(op.transientFailure(now: at(5), error: "timeout", requestMayHaveArrived: true, unit: 0.5) == .waitUntil(at(7)))
        #expect(op.status == .queued)
        #expect(op.dispatch(now: at(6)) == .waitUntil(at(7)))  // not before the back-off
        #expect(op.dispatch(now: at(7)) == .send)
        #expect(op.transientFailure(now: at(10), error: "timeout", requestMayHaveArrived: true, unit: 0.5) == .waitUntil(at(14)))
        #expect(op.dispatch(now: at(14)) == .send)
        #expect(op.attempts == 3)
        #expect(op.transientFailure(now: at(20), error: "timeout", requestMayHaveArrived: true, unit: 0.5) == .finished(.failed))
        #expect(op.history.map(\.to) == [.queued, .sending, .queued, .sending, .queued, .sending, .failed])
    }

    @Test(arguments: [0.0, 0.25, 0.5, 0.75, 1.0])
    func backOffStaysWithinItsJitterBounds(_ unit: Double) {
        let policy = OperationStateMachine.RetryPolicy(baseDelay: 2, maxDelay: 60, jitter: 0.2)
        for attempt in 1...10 {
            let nominal = min(60, 2 * pow(2, Double(attempt - 1)))
            let delay = policy.delay(afterAttempt: attempt, unit: unit)
            #expect(delay >= nominal * 0.8 - 1e-9 && delay <= min(60, nominal * 1.2) + 1e-9, "attempt \(attempt): \(delay)")
        }
        #expect(policy.delay(afterAttempt: 1, unit: 0) == 1.6)
        #expect(policy.delay(afterAttempt: 1, unit: 1) == 2.4)
        #expect(policy.delay(afterAttempt: 20, unit: 1) == 60)
    }

    @Test func atMostOnceOperationsAreNotRetriedOncePossiblyDelivered() {
        var execute = OperationStateMachine(createdAt: t0, maxAttempts: 3, retriesAllowed: false)
        _ = execute.dispatch(now: t0)
        #expect(execute.transientFailure(now: at(5), error: "timeout", requestMayHaveArrived: true, unit: 0.5) == .finished(.failed))
        #expect(execute.attempts == 1)
        // But a request that never left (device offline) may be tried again.
        var offline = OperationStateMachine(createdAt: t0, maxAttempts: 3, retriesAllowed: false,
                                            retryPolicy: .init(baseDelay: 1, maxDelay: 10, jitter: 0))
        _ = offline.dispatch(now: t0)
        #expect(offline.transientFailure(now: at(1), error: "offline", requestMayHaveArrived: false, unit: 0.5) == .waitUntil(at(2)))
    }

    @Test func expiryWhileQueuedWhileSendingAndBeforeARetry() {
        var queued = OperationStateMachine(createdAt: t0, expiresAt: at(60), retriesAllowed: true)
        #expect(queued.tick(now: at(59)) == .rejected("not due"))
        #expect(queued.tick(now: at(60)) == .finished(.expired))
        #expect(queued.dispatch(now: at(61)) == .rejected("cannot send an operation that is expired"))  // never sent

        var sending = OperationStateMachine(createdAt: t0, expiresAt: at(60), retriesAllowed: true)
        _ = sending.dispatch(now: at(1))
        #expect(sending.tick(now: at(61)) == .finished(.expired))
        #expect(sending.succeeded(now: at(62)) == .rejected("no attempt in flight (expired)"))

        var retry = OperationStateMachine(createdAt: t0, expiresAt: at(10), retriesAllowed: true,
                                          retryPolicy: .init(baseDelay: 20, maxDelay: 60, jitter: 0))
        _ = retry.dispatch(now: t0)
        #expect(retry.transientFailure(now: at(1), error: "timeout", requestMayHaveArrived: true, unit: 0.5) == .finished(.expired))
    }

    @Test func notBeforeIsRespected() {
        var op = OperationStateMachine(createdAt: t0, notBefore: at(30), retriesAllowed: true)
        #expect(op.dispatch(now: at(10)) == .waitUntil(at(30)))
        #expect(op.attempts == 0)
        #expect(op.dispatch(now: at(30)) == .send)
    }

    @Test func onlyQueuedOperationsCanBeCancelled() {
        var queued = OperationStateMachine(createdAt: t0, retriesAllowed: true)
        #expect(queued.cancel(now: at(1)) == .finished(.cancelled))
        #expect(queued.dispatch(now: at(2)) == .rejected("cannot send an operation that is cancelled"))
        #expect(queued.history.last?.note == "cancelled by operator")

        var inFlight = OperationStateMachine(createdAt: t0, retriesAllowed: true)
        _ = inFlight.dispatch(now: t0)
        #expect(inFlight.cancel(now: at(1)) == .rejected("cannot cancel an operation that is sending"))
        #expect(inFlight.status == .sending)
    }

    @Test func restartRecovery() {
        var write = OperationStateMachine(createdAt: t0, maxAttempts: 3, retriesAllowed: true)
        _ = write.dispatch(now: t0)
        #expect(write.recoverAfterRestart(now: at(5)) == .ready)
        #expect(write.status == .queued)
        #expect(write.dispatch(now: at(5)) == .send)
        #expect(write.attempts == 2)

        var execute = OperationStateMachine(createdAt: t0, retriesAllowed: false)
        _ = execute.dispatch(now: t0)
        #expect(execute.recoverAfterRestart(now: at(5)) == .finished(.failed))
        #expect(execute.attempts == 1)  // never sent twice
        #expect(execute.history.last?.note.contains("at-most-once") == true)

        var lastAttempt = OperationStateMachine(createdAt: t0, maxAttempts: 1, retriesAllowed: true)
        _ = lastAttempt.dispatch(now: t0)
        #expect(lastAttempt.recoverAfterRestart(now: at(5)) == .finished(.failed))

        var waiting = OperationStateMachine(createdAt: t0, notBefore: at(100), retriesAllowed: true)
        #expect(waiting.recoverAfterRestart(now: at(5)) == .waitUntil(at(100)))
        var done = OperationStateMachine(createdAt: t0, retriesAllowed: true)
        _ = done.dispatch(now: t0)
        _ = done.succeeded(now: at(1))
        #expect(done.recoverAfterRestart(now: at(5)) == .finished(.succeeded))
    }
}
