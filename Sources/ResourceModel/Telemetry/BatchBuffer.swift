import Synchronization

/// A FIFO handed from one producer task to one consumer task, which takes everything buffered at once.
///
/// `AsyncStream` has no "give me what is already there without waiting"; the recorder pumps its stream into
/// this buffer from a child task so the writer can take whole batches.
///
/// State: `items` (FIFO), `finished` (the producer will append no more), `waiter` (the consumer, suspended
/// while `items` is empty and not `finished`).
final class BatchBuffer<Element: Sendable>: Sendable {
    private struct State: ~Copyable {
        var items: [Element] = []
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Creates an empty, open buffer.
    init() {}

    /// Appends one element and wakes the consumer. Appending after `finish()` is a bug.
    func append(_ element: Element) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            precondition(!state.finished, "append after finish")
            state.items.append(element)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Marks the end of input and wakes the consumer; the buffered elements stay available.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Waits for at least one element, then returns up to `maxCount` of them in order; `nil` once finished
    /// and empty. Only one consumer may call this at a time.
    func next(maxCount: Int) async -> [Element]? {
        precondition(maxCount > 0, "maxCount must be positive")
        while true {
            let taken = state.withLock { state -> [Element]?? in
                if !state.items.isEmpty {
                    let count = min(maxCount, state.items.count)
                    let batch = Array(state.items.prefix(count))
                    state.items.removeFirst(count)
                    return .some(batch)
                }
                return state.finished ? .some(nil) : .none
            }
            if let taken { return taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.items.isEmpty || state.finished { return true }
                    precondition(state.waiter == nil, "BatchBuffer supports one consumer")
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }
}
