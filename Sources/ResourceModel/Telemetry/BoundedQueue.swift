import Synchronization

/// A bounded FIFO: many producers (any thread), one consumer taking whole batches. The ingest's report queue, the
/// recorder's event buffer (capacity `Int.max`) and each internal report subscription are one.
///
/// State: `items` from `head` on (FIFO, at most `capacity`), `finished` (no new elements accepted),
/// `consumer` (suspended while empty and not finished), `producers` (callers of `enqueueWaiting`
/// suspended while full, in arrival order; their elements move in as the consumer frees space).
final class BoundedQueue<Element: Sendable>: Sendable {
    private struct State: ~Copyable {
        var items: [Element] = []
        var head = 0
        var finished = false
        var consumer: CheckedContinuation<Void, Never>?
        var producers: [(element: Element, continuation: CheckedContinuation<Bool, Never>)] = []

        var count: Int { items.count - head }
    }

    /// The most elements held at once.
    let capacity: Int
    private let state = Mutex(State())

    /// Creates an empty, open queue.
    init(capacity: Int) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
    }

    /// Appends `element` unless the queue is full or finished; never waits.
    func offer(_ element: Element) -> Bool {
        let (accepted, consumer) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !state.finished, state.count < capacity, state.producers.isEmpty else {
                return (false, nil)
            }
            state.items.append(element)
            defer { state.consumer = nil }
            return (true, state.consumer)
        }
        consumer?.resume()
        return accepted
    }

    /// Appends `element`, waiting while the queue is full; `false` when the queue is finished.
    func enqueueWaiting(_ element: Element) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let (result, consumer) = state.withLock { state -> (Bool?, CheckedContinuation<Void, Never>?) in
                if state.finished { return (false, nil) }
                if state.count < capacity, state.producers.isEmpty {
                    state.items.append(element)
                    defer { state.consumer = nil }
                    return (true, state.consumer)
                }
                state.producers.append((element, continuation))
                return (nil, nil)
            }
            consumer?.resume()
            if let result { continuation.resume(returning: result) }
        }
    }

    /// Stops accepting elements; what is queued (and what waiting producers hold) is still handed out.
    func finish() {
        let consumer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
    }

    /// Stops accepting elements and turns away the waiting producers (their `enqueueWaiting` returns `false`,
    /// their elements are not queued); what is queued is still handed out. For a consumer that leaves.
    func cancel() {
        let (consumer, producers) = state.withLock {
            state -> (CheckedContinuation<Void, Never>?, [CheckedContinuation<Bool, Never>]) in
            state.finished = true
            defer {
                state.consumer = nil
                state.producers.removeAll()
            }
            return (state.consumer, state.producers.map(\.continuation))
        }
        consumer?.resume()
        for producer in producers { producer.resume(returning: false) }
    }

    /// The number of queued elements.
    var count: Int { state.withLock { $0.count } }

    /// Whether `offer` would refuse now.
    var isFull: Bool { state.withLock { $0.finished || $0.count >= capacity || !$0.producers.isEmpty } }

    /// Waits for at least one element, then returns up to `maxCount` in order; `nil` once finished and empty.
    /// One consumer only.
    func next(maxCount: Int) async -> [Element]? {
        while true {
            let (taken, released) = state.withLock { state -> ([Element]??, [CheckedContinuation<Bool, Never>]) in
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
                    state.items.append(producer.element)
                    released.append(producer.continuation)
                }
                return (batch.isEmpty ? .none : .some(batch), released)
            }
            for continuation in released { continuation.resume(returning: true) }
            if let taken { return taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.count > 0 || state.finished { return true }
                    precondition(state.consumer == nil, "BoundedQueue supports one consumer")
                    state.consumer = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }
}
