import Foundation
import Logging
import Metrics
import LwM2M
import ServiceLifecycle
import Synchronization

/// Stores what devices report (notifications and Sends) as `resource` rows, in batches: a `Service`.
///
/// Producers call `submit(_:)` (never blocks; `false` when the bounded queue is full, so the caller can answer
/// the device 5.03 Service Unavailable) or `submitWaiting(_:)`. `run()` takes up to `maxBatchSize` queued
/// reports at a time and writes them in ONE transaction through `TelemetryStore.write(_:)` (values typed by their
/// resource type, latest values, the events the rules make). After the commit it publishes NOTIFICATION/SEND and
/// EVENT to the `LiveEventHub` (lossy: a slow stream client is disconnected) and hands the stored reports to the
/// internal subscriptions (lossless: `subscribe(capacity:paths:)`, the ingest waits for them). Reports of
/// endpoints the store does not know are counted and logged, not stored. A failed batch is retried report by report.
///
/// On graceful shutdown `run()` stops accepting reports, writes everything queued, and returns: list it
/// before the LwM2M server in the `ServiceGroup` so it is shut down after the server stops producing.
public final class TelemetryIngest: Service, Sendable {
    /// The default queue capacity, in reports.
    public static let defaultCapacity = 10_000
    /// The default upper bound of reports written in one transaction.
    public static let defaultMaxBatchSize = 500
    /// How long a short batch waits for more reports before it is written, by default: one transaction for many
    /// reports costs less than many transactions, which at moderate rates leaves the CPU to the CoAP I/O thread.
    public static let defaultBatchLinger: Duration = .milliseconds(5)

    /// Counters since the ingest was created.
    public struct Statistics: Sendable, Equatable {
        /// Reports accepted into the queue.
        public var reportsAccepted = 0
        /// Reports refused because the queue was full or the ingest had stopped.
        public var reportsRejected = 0
        /// Reports written.
        public var reportsStored = 0
        /// Reports dropped because their endpoint has no row.
        public var reportsUnknownEndpoint = 0
        /// Reports that could not be written even alone (each one logged).
        public var reportsFailed = 0
        /// Values written as `resource` rows.
        public var valuesStored = 0
        /// Values skipped: not a resource path, or not storable as their resource's type.
        public var valuesSkipped = 0
        /// Events made by rules.
        public var eventsCreated = 0
        /// Batches committed in one transaction.
        public var batchesWritten = 0
        /// Batches whose transaction failed (then retried report by report).
        public var batchesFailed = 0

        /// Reports taken from the queue and handled: stored, unknown or failed.
        public var reportsProcessed: Int { reportsStored + reportsUnknownEndpoint + reportsFailed }
    }

    private struct State: ~Copyable {
        var statistics = Statistics()
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var stopped = false
    }

    private let store: any TelemetryStore
    private let hub: LiveEventHub?
    private let logger: Logger
    private let maxBatchSize: Int
    private let batchLinger: Duration
    private let queue: BoundedQueue<DeviceReport>
    /// The internal subscriptions (lossless: the ingest waits for them).
    private let subscriptions = StoredReportFanOut()
    private let state = Mutex(State())

    // Metrics (no-ops until a backend is bootstrapped): values and batches written, events made by rules.
    private static let valuesStoredCounter = Counter(label: "lwm2m_values_stored_total")
    private static let batchesCounter = Counter(label: "lwm2m_ingest_batches_total")
    private static let eventsCounter = Counter(label: "lwm2m_events_created_total")

    /// Creates an ingest writing to `store` and publishing to `hub` (when given); run it in a `ServiceGroup`.
    public init(
        store: any TelemetryStore, hub: LiveEventHub? = nil, logger: Logger,
        capacity: Int = TelemetryIngest.defaultCapacity, maxBatchSize: Int = TelemetryIngest.defaultMaxBatchSize,
        batchLinger: Duration = TelemetryIngest.defaultBatchLinger
    ) {
        self.batchLinger = batchLinger
        precondition(maxBatchSize > 0, "maxBatchSize must be positive")
        self.store = store
        self.hub = hub
        self.logger = logger
        self.maxBatchSize = maxBatchSize
        self.queue = BoundedQueue(capacity: capacity)
    }

    /// Queues `report` without waiting; `false` when the queue is full (back-pressure) or the ingest stopped.
    /// Safe from any thread, including the CoAP I/O thread.
    public func submit(_ report: DeviceReport) -> Bool {
        let accepted = queue.offer(report)
        state.withLock {
            if accepted { $0.statistics.reportsAccepted += 1 } else { $0.statistics.reportsRejected += 1 }
        }
        return accepted
    }

    /// Queues `report`, waiting while the queue is full; a report submitted after shutdown is counted as
    /// rejected and dropped.
    public func submitWaiting(_ report: DeviceReport) async {
        let accepted = await queue.enqueueWaiting(report)
        state.withLock {
            if accepted { $0.statistics.reportsAccepted += 1 } else { $0.statistics.reportsRejected += 1 }
        }
    }

    /// The counters so far.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// The number of reports waiting in the queue.
    public var queuedCount: Int { queue.count }

    /// Whether `submit` would refuse a report now (the queue is full or the ingest stopped).
    public var isFull: Bool { queue.isFull }

    /// Returns once `count` reports (counted from creation) have been processed, or once `run()` returned.
    public func waitUntilProcessed(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if state.stopped || state.statistics.reportsProcessed >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Writes batches until graceful shutdown (or cancellation), then writes what is queued and returns.
    public func run() async {
        logger.debug("telemetry ingest started", metadata: ["maxBatchSize": "\(maxBatchSize)"])
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                while var batch = await queue.next(maxCount: maxBatchSize) {
                    if batchLinger > .zero, batch.count < maxBatchSize {
                        // Group commit: let a short batch gather what arrives in the next few milliseconds.
                        try? await Task.sleep(for: batchLinger)
                        if queue.count > 0, let more = await queue.next(maxCount: maxBatchSize - batch.count) {
                            batch += more
                        }
                    }
                    await write(batch)
                }
            } onCancel: { [queue] in
                queue.finish()
            }
        } onGracefulShutdown: { [queue] in
            queue.finish()
        }
        subscriptions.finish()
        let ready = state.withLock { state in
            state.stopped = true
            defer { state.waiters.removeAll() }
            return state.waiters.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
        let statistics = self.statistics
        logger.debug(
            "telemetry ingest stopped",
            metadata: [
                "valuesStored": "\(statistics.valuesStored)", "reportsFailed": "\(statistics.reportsFailed)",
                "reportsUnknownEndpoint": "\(statistics.reportsUnknownEndpoint)",
            ])
    }

    /// Writes one batch in one transaction; on failure, retries each report alone.
    private func write(_ batch: [DeviceReport]) async {
        do {
            let outcomes = try await store.write(batch)
            await subscriptions.deliver(finish(batch, outcomes, batches: 1))
            return
        } catch {
            state.withLock { $0.statistics.batchesFailed += 1 }
            logger.error(
                "writing telemetry failed; retrying report by report",
                metadata: ["reports": "\(batch.count)", "error": "\(error)"])
        }
        for report in batch {
            do {
                await subscriptions.deliver(finish([report], try await store.write([report]), batches: 0))
            } catch {
                state.withLock { $0.statistics.reportsFailed += 1 }
                logger.error(
                    "dropping report that cannot be stored",
                    metadata: ["endpoint": "\(report.endpoint)", "values": "\(report.values.count)", "error": "\(error)"])
                resumeWaiters()
            }
        }
    }

    /// Counts and publishes a written batch; returns the reports that were stored, for the subscriptions.
    private func finish(_ reports: [DeviceReport], _ outcomes: [TelemetryWriteOutcome], batches: Int)
        -> [DeviceReport]
    {
        var storedReports: [DeviceReport] = []
        var delta = Statistics()
        delta.batchesWritten = batches
        for (report, outcome) in zip(reports, outcomes) {
            switch outcome {
            case .unknownEndpoint:
                delta.reportsUnknownEndpoint += 1
                logger.notice(
                    "dropping report of an unknown endpoint",
                    metadata: ["endpoint": "\(report.endpoint)", "values": "\(report.values.count)"])
            case .stored(let stored, let skipped, let events):
                delta.reportsStored += 1
                delta.valuesStored += stored
                delta.valuesSkipped += skipped
                delta.eventsCreated += events.count
                if skipped > 0 {
                    logger.debug(
                        "skipped values that do not fit their resource type",
                        metadata: ["endpoint": "\(report.endpoint)", "skipped": "\(skipped)"])
                }
                publish(report, events: events)
                storedReports.append(report)
            }
        }
        state.withLock { state in
            let s = delta
            state.statistics.reportsStored += s.reportsStored
            state.statistics.reportsUnknownEndpoint += s.reportsUnknownEndpoint
            state.statistics.valuesStored += s.valuesStored
            state.statistics.valuesSkipped += s.valuesSkipped
            state.statistics.eventsCreated += s.eventsCreated
            state.statistics.batchesWritten += s.batchesWritten
        }
        Self.valuesStoredCounter.increment(by: delta.valuesStored)
        Self.batchesCounter.increment(by: delta.batchesWritten)
        Self.eventsCounter.increment(by: delta.eventsCreated)
        resumeWaiters()
        return storedReports
    }

    // MARK: - Internal subscriptions

    /// Every report stored from now on, in order, none dropped (only its values under `paths`, when given): see
    /// `StoredReportSource`. The ingest waits for a full subscription before it writes its next batch.
    public func subscribe(capacity: Int = StoredReports.defaultCapacity, paths: [LwM2MPath]? = nil) -> StoredReports {
        subscriptions.subscribe(capacity: capacity, paths: paths)
    }

    /// The number of open internal subscriptions.
    public var subscriptionCount: Int { subscriptions.count }

    /// Publishes a stored report and its events to the hub.
    private func publish(_ report: DeviceReport, events: [TelemetryWriteOutcome.CreatedEvent]) {
        guard let hub else { return }
        switch report.kind {
        case .notification(let observationID):
            hub.publish(LiveEvent(
                name: .notification, endpoint: report.endpoint, time: report.receivedAt,
                payload: .values(observationID: observationID, values: report.values)))
        case .send:
            hub.publish(LiveEvent(
                name: .send, endpoint: report.endpoint, time: report.receivedAt,
                payload: .values(observationID: nil, values: report.values)))
        }
        for event in events {
            hub.publish(LiveEvent(
                name: .event, endpoint: report.endpoint, time: report.receivedAt,
                payload: .event(type: event.type, eventID: event.id, values: event.values)))
        }
    }

    /// Resumes the `waitUntilProcessed` callers whose count is reached.
    private func resumeWaiters() {
        let ready = state.withLock { state in
            let processed = state.statistics.reportsProcessed
            let ready = state.waiters.filter { $0.count <= processed }.map(\.continuation)
            state.waiters.removeAll { $0.count <= processed }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }
}
