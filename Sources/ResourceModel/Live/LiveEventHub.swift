import Foundation
import LwM2M
import Synchronization

/// A live event with its wire text (the JSON of the REST live stream), made once per event for all subscribers.
public struct EncodedLiveEvent: Sendable, Equatable {
    /// The event.
    public var event: LiveEvent
    /// Its text, as the hub's encoder made it.
    public var text: String

    /// Pairs an event with its text.
    public init(event: LiveEvent, text: String) {
        self.event = event
        self.text = text
    }
}

/// Fans live events out to subscribers (the SSE and WebSocket streams) without ever waiting for them: the lossy
/// external path. Modules that must see every value subscribe to `StoredReportSource` instead.
///
/// Each subscriber has a bounded buffer (`bufferSize` events). A subscriber whose buffer is full when an event
/// arrives has fallen behind: it is disconnected (its stream delivers what it buffered, then finishes) and
/// counted in `disconnectedCount`. `publish` never blocks and may be called from any thread.
///
/// Text subscribers (`subscribeEncoded`, the SSE and WebSocket clients) receive the event with its text, encoded
/// by the hub's `encoder` once per event however many clients there are, and only when at least one wants it.
public final class LiveEventHub: Sendable {
    /// The default number of events buffered per subscriber.
    public static let defaultBufferSize = 1024

    /// Where a subscriber's events go: plain events, or events with their text.
    private enum Sink: Sendable {
        case events(AsyncStream<LiveEvent>.Continuation)
        case encoded(AsyncStream<EncodedLiveEvent>.Continuation)

        func finish() {
            switch self {
            case .events(let continuation): continuation.finish()
            case .encoded(let continuation): continuation.finish()
            }
        }
    }

    /// One subscriber: its endpoint and name filters and where its events go.
    private struct Subscriber: Sendable {
        var endpoint: String?
        var names: Set<LiveEvent.Name>?
        var sink: Sink

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
    private let encoder: (@Sendable (LiveEvent) -> String?)?
    private let state = Mutex(State())

    /// Creates a hub buffering up to `bufferSize` events per subscriber; `encoder` makes the text of an event for
    /// `subscribeEncoded` (an event it returns `nil` for is not sent to text subscribers).
    public init(
        bufferSize: Int = LiveEventHub.defaultBufferSize, encoder: (@Sendable (LiveEvent) -> String?)? = nil
    ) {
        precondition(bufferSize > 0, "bufferSize must be positive")
        self.bufferSize = bufferSize
        self.encoder = encoder
    }

    /// Whether the hub has an encoder, so that `subscribeEncoded` can be used.
    public var encodesText: Bool { encoder != nil }

    /// A stream of every event published from now on (only those of `endpoint`, and of the event `names`, when
    /// given). It finishes when the subscriber falls behind, on `finishAll()`, and the subscription ends when the
    /// stream is dropped.
    public func subscribe(endpoint: String? = nil, names: Set<LiveEvent.Name>? = nil) -> AsyncStream<LiveEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: LiveEvent.self, bufferingPolicy: .bufferingOldest(bufferSize))
        let id = add(Subscriber(endpoint: endpoint, names: names, sink: .events(continuation)))
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        return stream
    }

    /// Like `subscribe`, with each event's text made by the hub's encoder (once per event for all text
    /// subscribers). Requires an encoder (`encodesText`).
    public func subscribeEncoded(
        endpoint: String? = nil, names: Set<LiveEvent.Name>? = nil
    ) -> AsyncStream<EncodedLiveEvent> {
        precondition(encoder != nil, "subscribeEncoded needs a hub made with an encoder")
        let (stream, continuation) = AsyncStream.makeStream(
            of: EncodedLiveEvent.self, bufferingPolicy: .bufferingOldest(bufferSize))
        let id = add(Subscriber(endpoint: endpoint, names: names, sink: .encoded(continuation)))
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        return stream
    }

    private func add(_ subscriber: Subscriber) -> UInt64 {
        state.withLock { state in
            defer { state.nextID += 1 }
            state.subscribers[state.nextID] = subscriber
            return state.nextID
        }
    }

    private func remove(_ id: UInt64) {
        state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
    }

    /// Delivers `event` to every subscriber interested in its endpoint; disconnects those that are full.
    public func publish(_ event: LiveEvent) {
        let targets = state.withLock { state in
            state.subscribers.filter { $0.value.wants(event) }
        }
        guard !targets.isEmpty else { return }
        var lagging: [UInt64] = []
        var encoded: EncodedLiveEvent??  // made on first need, then shared
        for (id, subscriber) in targets {
            switch subscriber.sink {
            case .events(let continuation):
                if case .dropped = continuation.yield(event) { lagging.append(id) }
            case .encoded(let continuation):
                if encoded == nil { encoded = .some(encoder?(event).map { EncodedLiveEvent(event: event, text: $0) }) }
                guard let message = encoded ?? nil else { continue }
                if case .dropped = continuation.yield(message) { lagging.append(id) }
            }
        }
        guard !lagging.isEmpty else { return }
        let removed = state.withLock { state in
            let removed = lagging.compactMap { state.subscribers.removeValue(forKey: $0) }
            state.disconnected += removed.count
            return removed
        }
        for subscriber in removed { subscriber.sink.finish() }
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
        for subscriber in all { subscriber.sink.finish() }
    }

    /// The number of current subscribers.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// How many subscribers were disconnected for falling behind.
    public var disconnectedCount: Int { state.withLock { $0.disconnected } }
}
