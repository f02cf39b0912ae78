import LwM2M
import Synchronization

/// The ingest's bounded FIFO of reports: many producers (any thread), one consumer taking whole batches.
///
/// State: `items` from `head` on (FIFO, at most `capacity`), `finished` (no new reports accepted),
/// `consumer` (suspended while empty and not finished), `producers` (callers of `enqueueWaiting`
/// suspended while full, in arrival order; their reports move in as the consumer frees space).
final class ReportQueue: Sendable {
    private struct State: ~Copyable {
        var items: [DeviceReport] = []
        var head = 0
        var finished = false
        var consumer: CheckedContinuation<Void, Never>?
        var producers: [(report: DeviceReport, continuation: CheckedContinuation<Bool, Never>)] = []

        var count: Int { items.count - head }
    }

    /// The most reports held at once.
    let capacity: Int
    private let state = Mutex(State())

    /// Creates an empty, open queue.
    init(capacity: Int) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
    }

    /// Appends `report` unless the queue is full or finished; never waits.
    func offer(_ report: DeviceReport) -> Bool {
        let (accepted, consumer) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !state.finished, state.count < capacity, state.producers.isEmpty else {
                return (false, nil)
            }
            state.items.append(report)
            defer { state.consumer = nil }
            return (true, state.consumer)
        }
        consumer?.resume()
        return accepted
    }

    /// Appends `report`, waiting while the queue is full; `false` when the queue is finished.
    func enqueueWaiting(_ report: DeviceReport) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let (result, consumer) = state.withLock { state -> (Bool?, CheckedContinuation<Void, Never>?) in
                if state.finished { return (false, nil) }
                if state.count < capacity, state.producers.isEmpty {
                    state.items.append(report)
                    defer { state.consumer = nil }
                    return (true, state.consumer)
                }
                state.producers.append((report, continuation))
                return (nil, nil)
            }
            consumer?.resume()
            if let result { continuation.resume(returning: result) }
        }
    }

    /// Stops accepting reports; what is queued (and what waiting producers hold) is still handed out.
    func finish() {
        let consumer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
    }

    /// The number of queued reports.
    var count: Int { state.withLock { $0.count } }

    /// Whether `offer` would refuse now.
    var isFull: Bool { state.withLock { $0.finished || $0.count >= capacity || !$0.producers.isEmpty } }

    /// Waits for at least one report, then returns up to `maxCount` in order; `nil` once finished and empty.
    /// One consumer only.
    func next(maxCount: Int) async -> [DeviceReport]? {
        while true {
            let (taken, released) = state.withLock { state -> ([DeviceReport]??, [CheckedContinuation<Bool, Never>]) in
                guard state.count > 0 || !state.producers.isEmpty else {
                    return (state.finished ? .some(nil) : .none, [])
                }
                let take = min(maxCount, state.count)
                let batch = Array(state.items[state.head..<(state.head + take)])
                state.head += take
                if state.head > 1024, state.head * 2 > state.items.count {
                    state.items.removeFirst(state.head)
                    state.head = 0
                }
                var released: [CheckedContinuation<Bool, Never>] = []
                while state.count < capacity, !state.producers.isEmpty {
                    let producer = state.producers.removeFirst()
                    state.items.append(producer.report)
                    released.append(producer.continuation)
                }
                return (batch.isEmpty ? .none : .some(batch), released)
            }
            for continuation in released { continuation.resume(returning: true) }
            if let taken { return taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.count > 0 || state.finished { return true }
                    precondition(state.consumer == nil, "ReportQueue supports one consumer")
                    state.consumer = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }
}
