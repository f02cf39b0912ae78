import LwM2M
import Synchronization

/// Where a module subscribes to every report the server stores: the lossless internal event path.
///
/// The live stream (`LiveEventHub`) serves people and dashboards and drops a client that falls behind; a module
/// that must see every value (the firmware module every `/5/0/3` State and `/5/0/5` Update Result, alerts and
/// forwarding every value) subscribes here instead. A subscription is never dropped from: when its buffer is full,
/// the producer waits (`TelemetryIngest` then stops writing, its queue fills and devices are answered 5.03, as when
/// storage is slow). So a subscriber must keep consuming, or `cancel()`.
///
/// In a `ServiceGroup`, list a subscribing service before the ingest: services stop in reverse order, so the
/// subscriber keeps consuming until the ingest has written its last batch and ended the subscription.
public protocol StoredReportSource: Sendable {
    /// Every report stored from now on, in commit order, none dropped. With `paths`, each report carries only its
    /// values under one of them, and reports with none are skipped. It ends when the source stops, or on `cancel()`.
    func subscribe(capacity: Int, paths: [LwM2MPath]?) -> StoredReports
}

extension TelemetryIngest: StoredReportSource {}

/// One internal subscription (`StoredReportSource.subscribe`): an `AsyncSequence` of stored reports in order.
/// Consume it from one task.
public final class StoredReports: AsyncSequence, Sendable {
    public typealias Element = DeviceReport

    /// The default number of reports buffered before the producer waits.
    public static let defaultCapacity = 4_096

    /// The paths this subscription wants (`nil`: all values).
    public let paths: [LwM2MPath]?
    let queue: BoundedQueue<DeviceReport>
    private let onCancel: @Sendable () -> Void

    init(capacity: Int, paths: [LwM2MPath]?, onCancel: @escaping @Sendable () -> Void) {
        queue = BoundedQueue(capacity: capacity)
        self.paths = paths
        self.onCancel = onCancel
    }

    /// Ends the subscription: the producer no longer waits for it; what is buffered is still handed out.
    public func cancel() {
        onCancel()
        queue.cancel()
    }

    /// Up to `maxCount` buffered reports at once, waiting for at least one; `nil` once ended and drained.
    public func next(maxCount: Int) async -> [DeviceReport]? { await queue.next(maxCount: maxCount) }

    /// The number of reports buffered, not yet taken.
    public var bufferedCount: Int { queue.count }

    /// `report` as this subscription wants it: only the values under `paths`; `nil` when none is.
    func filtered(_ report: DeviceReport) -> DeviceReport? {
        guard let paths else { return report }
        var kept = report
        kept.values = report.values.filter { value in paths.contains { $0.isPrefix(of: value.path) } }
        return kept.values.isEmpty ? nil : kept
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let queue: BoundedQueue<DeviceReport>
        var buffered: [DeviceReport] = []

        public mutating func next() async -> DeviceReport? {
            if buffered.isEmpty {
                guard let batch = await queue.next(maxCount: 256) else { return nil }
                buffered = batch.reversed()
            }
            return buffered.popLast()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(queue: queue) }
}

/// The producer's side: the open subscriptions, handed every stored report.
///
/// State: `subscriptions` by id, `nextID`, `finished` (no more deliveries; a new subscription starts ended).
final class StoredReportFanOut: Sendable {
    private struct State: ~Copyable {
        var subscriptions: [UInt64: StoredReports] = [:]
        var nextID: UInt64 = 0
        var finished = false
    }

    private let state = Mutex(State())

    init() {}

    /// A new subscription; an ended one when the producer already finished.
    func subscribe(capacity: Int, paths: [LwM2MPath]?) -> StoredReports {
        precondition(capacity > 0, "capacity must be positive")
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        let subscription = StoredReports(capacity: capacity, paths: paths) { [weak self] in
            _ = self?.state.withLock { $0.subscriptions.removeValue(forKey: id) }
        }
        let open = state.withLock { state in
            guard !state.finished else { return false }
            state.subscriptions[id] = subscription
            return true
        }
        if !open { subscription.cancel() }
        return subscription
    }

    /// The number of open subscriptions.
    var count: Int { state.withLock { $0.subscriptions.count } }

    /// Hands `reports` to every open subscription in order, waiting while one is full (never dropping). After
    /// the calling task is cancelled (a hard stop) it no longer waits: a subscription it would wait for is ended.
    func deliver(_ reports: [DeviceReport]) async {
        guard !reports.isEmpty else { return }
        let targets = state.withLock { Array($0.subscriptions.values) }
        for subscription in targets {
            for report in reports {
                guard let wanted = subscription.filtered(report) else { continue }
                if subscription.queue.offer(wanted) { continue }
                if Task.isCancelled { break }
                // A hard stop while waiting ends this subscription rather than hanging the producer.
                let queued = await withTaskCancellationHandler {
                    await subscription.queue.enqueueWaiting(wanted)
                } onCancel: {
                    subscription.cancel()
                }
                if !queued { break }  // cancelled meanwhile
            }
        }
    }

    /// Ends every subscription (the producer stopped); their buffered reports are still handed out.
    func finish() {
        let all = state.withLock { state in
            state.finished = true
            defer { state.subscriptions.removeAll() }
            return Array(state.subscriptions.values)
        }
        for subscription in all { subscription.queue.finish() }
    }
}
