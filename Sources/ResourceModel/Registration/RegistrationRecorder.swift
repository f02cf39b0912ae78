import Logging
import LwM2M
import ServiceLifecycle
import Synchronization

/// Persists the registry's events: a `Service` that writes them to the `endpoint` table in batches.
///
/// `run()` takes one event (waiting for it), then everything else already buffered (up to `maxBatchSize`)
/// and applies the batch in one transaction, in order. A failed batch is logged, counted, and retried event
/// by event so one bad event cannot lose the others; the recorder never stops on a database error.
///
/// `run()` ignores graceful shutdown and returns when the event stream finishes, after writing everything it
/// received: finish the stream when the registry stops (in a `ServiceGroup`, list the recorder before the
/// LwM2M server so it is shut down after it). On task cancellation it stops reading and still writes what it
/// already took from the stream.
public struct RegistrationRecorder: Service {
    /// The default upper bound of events written in one transaction.
    public static let defaultMaxBatchSize = 512

    /// Counters since `run()` started.
    public struct Statistics: Sendable, Equatable {
        /// Events committed to the database.
        public var eventsWritten = 0
        /// Events that could not be written even alone (each one logged).
        public var eventsFailed = 0
        /// Batches committed in one transaction.
        public var batchesWritten = 0
        /// Batches whose transaction failed (then retried event by event).
        public var batchesFailed = 0

        /// Events taken from the stream and handled, written or failed.
        public var eventsProcessed: Int { eventsWritten + eventsFailed }
    }

    private let store: any EndpointStore
    private let events: AsyncStream<RegistrationEvent>
    private let logger: Logger
    private let maxBatchSize: Int
    private let progress = Progress()

    /// Creates a recorder writing `events` to `store`; run it in a `ServiceGroup` (or call `run()`).
    public init(
        store: any EndpointStore, events: AsyncStream<RegistrationEvent>, logger: Logger,
        maxBatchSize: Int = RegistrationRecorder.defaultMaxBatchSize
    ) {
        precondition(maxBatchSize > 0, "maxBatchSize must be positive")
        self.store = store
        self.events = events
        self.logger = logger
        self.maxBatchSize = maxBatchSize
    }

    /// The counters so far.
    public var statistics: Statistics { progress.statistics }

    /// Returns once `count` events (counted from the start of `run()`) have been handled, written or failed,
    /// or once `run()` has returned. Lets tests and callers wait for "everything sent so far is written".
    public func waitUntilProcessed(_ count: Int) async {
        await progress.wait(until: count)
    }

    /// Consumes the stream until it finishes, writing batches; see the type's documentation.
    public func run() async {
        // Unbounded, like the stream it drains: the server never waits for the recorder.
        let buffer = BoundedQueue<RegistrationEvent>(capacity: .max)
        logger.debug("registration recorder started", metadata: ["maxBatchSize": "\(maxBatchSize)"])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [events] in
                for await event in events { _ = buffer.offer(event) }
                buffer.finish()
            }
            while let batch = await buffer.next(maxCount: maxBatchSize) {
                await write(batch)
            }
        }
        progress.finish()
        let statistics = progress.statistics
        logger.debug(
            "registration recorder stopped",
            metadata: [
                "eventsWritten": "\(statistics.eventsWritten)", "eventsFailed": "\(statistics.eventsFailed)",
                "batchesFailed": "\(statistics.batchesFailed)",
            ])
    }

    /// Writes one batch in one transaction; on failure, retries each event alone.
    private func write(_ batch: [RegistrationEvent]) async {
        do {
            try await store.apply(batch)
            progress.update { $0.eventsWritten += batch.count; $0.batchesWritten += 1 }
            return
        } catch {
            progress.update { $0.batchesFailed += 1 }
            logger.error(
                "writing registration events failed; retrying one by one",
                metadata: ["events": "\(batch.count)", "error": "\(error)"])
        }
        for event in batch {
            do {
                try await store.apply([event])
                progress.update { $0.eventsWritten += 1 }
            } catch {
                progress.update { $0.eventsFailed += 1 }
                logger.error(
                    "dropping registration event that cannot be written",
                    metadata: [
                        "event": "\(event.kind)", "endpoint": "\(event.registration.endpoint)",
                        "registrationId": "\(event.registration.id)", "error": "\(error)",
                    ])
            }
        }
    }
}

extension RegistrationRecorder {
    /// The recorder's shared counters and the callers waiting on them.
    private final class Progress: Sendable {
        private struct State {
            var statistics = Statistics()
            var finished = false
            var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        }

        private let state = Mutex(State())

        var statistics: Statistics { state.withLock { $0.statistics } }

        func update(_ body: (inout Statistics) -> Void) {
            let ready = state.withLock { state in
                body(&state.statistics)
                return Self.takeReady(&state)
            }
            for continuation in ready { continuation.resume() }
        }

        func finish() {
            let ready = state.withLock { state in
                state.finished = true
                return Self.takeReady(&state)
            }
            for continuation in ready { continuation.resume() }
        }

        func wait(until count: Int) async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.finished || state.statistics.eventsProcessed >= count { return true }
                    state.waiters.append((count, continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }

        private static func takeReady(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
            let processed = state.statistics.eventsProcessed
            let ready = state.waiters.filter { state.finished || $0.count <= processed }
            state.waiters.removeAll { state.finished || $0.count <= processed }
            return ready.map(\.continuation)
        }
    }
}

extension RegistrationEvent {
    /// A short name of the case, for logs.
    fileprivate var kind: String {
        switch self {
        case .registered: "registered"
        case .updated: "updated"
        case .deregistered: "deregistered"
        case .expired: "expired"
        }
    }
}
