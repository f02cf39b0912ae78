import Foundation
import LwM2M
import Synchronization

/// Fans live events out to subscribers (the SSE and WebSocket streams) without ever waiting for them.
///
/// Each subscriber has a bounded buffer (`bufferSize` events). A subscriber whose buffer is full when an event
/// arrives has fallen behind: it is disconnected (its stream delivers what it buffered, then finishes) and
/// counted in `disconnectedCount`. `publish` never blocks and may be called from any thread.
public final class LiveEventHub: Sendable {
    /// The default number of events buffered per subscriber.
    public static let defaultBufferSize = 1024

    /// One subscriber: its endpoint filter and the continuation of its stream.
    private struct Subscriber: Sendable {
        var endpoint: String?
        var names: Set<LiveEvent.Name>?
        var continuation: AsyncStream<LiveEvent>.Continuation

        func wants(_ event: LiveEvent) -> Bool {
            (endpoint == nil || endpoint == event.endpoint) && (names?.contains(event.name) ?? true)
        }
    }

    private struct State: ~Copyable {
        var subscribers: [UInt64: Subscriber] = [:]
        var nextID: UInt64 = 0
        var disconnected = 0
    }

    private let bufferSize: Int
    private let state = Mutex(State())

    /// Creates a hub buffering up to `bufferSize` events per subscriber.
    public init(bufferSize: Int = LiveEventHub.defaultBufferSize) {
        precondition(bufferSize > 0, "bufferSize must be positive")
        self.bufferSize = bufferSize
    }

    /// A stream of every event published from now on (only those of `endpoint`, and of the event `names`, when
    /// given). It finishes when the subscriber falls behind, on `finishAll()`, and the subscription ends when the
    /// stream is dropped.
    public func subscribe(endpoint: String? = nil, names: Set<LiveEvent.Name>? = nil) -> AsyncStream<LiveEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: LiveEvent.self, bufferingPolicy: .bufferingOldest(bufferSize))
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            state.subscribers[state.nextID] = Subscriber(endpoint: endpoint, names: names, continuation: continuation)
            return state.nextID
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Delivers `event` to every subscriber interested in its endpoint; disconnects those that are full.
    public func publish(_ event: LiveEvent) {
        let targets = state.withLock { state in
            state.subscribers.filter { $0.value.wants(event) }
        }
        var lagging: [UInt64] = []
        for (id, subscriber) in targets {
            switch subscriber.continuation.yield(event) {
            case .enqueued: break
            case .dropped: lagging.append(id)
            case .terminated: break
            @unknown default: break
            }
        }
        guard !lagging.isEmpty else { return }
        let removed = state.withLock { state in
            let removed = lagging.compactMap { state.subscribers.removeValue(forKey: $0) }
            state.disconnected += removed.count
            return removed
        }
        for subscriber in removed { subscriber.continuation.finish() }
    }

    /// Publishes a registration change (REGISTRATION, UPDATED, DEREGISTRATION); `now` is the time of
    /// de-registrations and expiries.
    public func publish(_ event: RegistrationEvent, at now: Date = Date()) {
        publish(LiveEvent(event, at: now))
    }

    /// Publishes that a queue-mode endpoint went to sleep (`awake == false`) or woke up.
    public func publishPresence(endpoint: String, awake: Bool, at now: Date = Date()) {
        publish(LiveEvent(name: awake ? .awake : .sleeping, endpoint: endpoint, time: now, payload: .presence))
    }

    /// Finishes every subscriber's stream (graceful shutdown of the HTTP server).
    public func finishAll() {
        let all = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in all { subscriber.continuation.finish() }
    }

    /// The number of current subscribers.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// How many subscribers were disconnected for falling behind.
    public var disconnectedCount: Int { state.withLock { $0.disconnected } }
}
