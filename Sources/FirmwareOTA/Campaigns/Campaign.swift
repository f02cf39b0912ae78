import Foundation

/// A fleet rollout of one firmware to many endpoints as a pure state machine. The orchestrator asks `next(at:)`
/// which devices to start, creates their `FirmwareUpdate`s, and reports every state change with
/// `record(endpoint:updateID:state:at:)`. Time is always passed in.
///
/// Rules:
/// - Waves: `waves` are cumulative fractions of the devices in target order; wave *k* holds the first
///   ⌈`waves[k]` × total⌉ devices (an empty list is one wave of everything; a last wave of 1.0 is implied, so
///   every device is reached). A wave opens only when every device of the waves before it is final and the
///   failure share is at or below `failureThreshold`.
/// - Concurrency and rate: at most `maxConcurrent` devices are active (started, not final), and with
///   `perMinute` at most that many devices are started in any rolling minute (started less than 60 s ago).
/// - Failure threshold: the failure share is failed ÷ finished (succeeded, failed or cancelled) over the devices
///   that finished since the last resume; it is evaluated once `thresholdMinimum` such devices finished (default
///   1), and a share above the threshold pauses a running campaign.
/// - Resume acknowledges the failures so far: the share restarts from the devices finishing after it, so a
///   resume does not re-pause on the same failures.
/// - When every device is final the campaign completes (unless cancelled).
public struct Campaign: Sendable, Equatable, Codable, Identifiable {
    /// One recorded change of `status`.
    public struct StatusChange: Sendable, Equatable, Codable {
        /// The status before.
        public var from: CampaignStatus
        /// The status after.
        public var to: CampaignStatus
        /// When it happened.
        public var at: Date
        /// Why, for operators.
        public var note: String

        /// Creates a status change.
        public init(from: CampaignStatus, to: CampaignStatus, at: Date, note: String) {
            self.from = from
            self.to = to
            self.at = at
            self.note = note
        }
    }

    /// The rolling window of `perMinute`.
    public static let rateWindow: TimeInterval = 60

    /// The campaign's id.
    public let id: Int64
    /// The firmware image rolled out.
    public let firmwareID: Int64
    /// The delivery method asked for every device (`auto`: picked per device).
    public let method: FirmwareMethodChoice
    /// The most devices active at once (at least 1).
    public let maxConcurrent: Int
    /// The most devices started per rolling minute (at least 1); `nil` for no limit.
    public let perMinute: Int?
    /// The largest failure share (0...1) that does not pause the campaign.
    public let failureThreshold: Double
    /// How many devices must have finished (since the last resume) before the share is judged: small samples
    /// are noisy (two failures of the first two devices are 100 %).
    public let thresholdMinimum: Int
    /// The cumulative wave fractions as given (0...1 each).
    public let waves: [Double]
    /// Where the campaign stands.
    public private(set) var status: CampaignStatus
    /// Why it is paused; `nil` unless paused.
    public private(set) var pauseReason: String?
    /// The target devices, in target order.
    public private(set) var devices: [CampaignDevice]
    /// When it was created.
    public let createdAt: Date
    /// The last change.
    public private(set) var updatedAt: Date
    /// Every status change so far, oldest first.
    public private(set) var history: [StatusChange]
    /// The index in `waveEnds` of the last open wave (devices are started from it and the ones before); waves
    /// open in order and stay open.
    public private(set) var currentWave: Int
    /// Devices finished when the campaign was last resumed (the threshold counts the ones after).
    public private(set) var baselineFinished: Int
    /// Devices failed when the campaign was last resumed: the failures the operator acknowledged.
    public private(set) var failuresAcknowledged: Int

    /// A running campaign over `endpoints` (duplicates dropped, order kept); completed at once when empty.
    /// `maxConcurrent` and `perMinute` are raised to at least 1, `failureThreshold` and the wave fractions are
    /// clamped to 0...1.
    public init(
        id: Int64, firmwareID: Int64, method: FirmwareMethodChoice = .auto, endpoints: [String],
        maxConcurrent: Int, perMinute: Int? = nil, failureThreshold: Double, thresholdMinimum: Int = 1,
        waves: [Double] = [], at now: Date
    ) {
        self.thresholdMinimum = max(1, thresholdMinimum)
        var seen = Set<String>()
        self.id = id
        self.firmwareID = firmwareID
        self.method = method
        self.maxConcurrent = max(1, maxConcurrent)
        self.perMinute = perMinute.map { max(1, $0) }
        self.failureThreshold = failureThreshold.isNaN ? 0 : min(1, max(0, failureThreshold))
        self.waves = waves.filter { !$0.isNaN }.map { min(1, max(0, $0)) }
        self.status = .running
        self.pauseReason = nil
        self.devices = endpoints.filter { seen.insert($0).inserted }.map { CampaignDevice(endpoint: $0) }
        self.createdAt = now
        self.updatedAt = now
        self.history = []
        self.currentWave = 0
        self.baselineFinished = 0
        self.failuresAcknowledged = 0
        if devices.isEmpty { change(to: .completed, note: "no target devices", at: now) }
    }

    /// The number of devices in each state, keyed by `CampaignDeviceState` raw value (every state present).
    public var counts: [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: CampaignDeviceState.allCases.map { ($0.rawValue, 0) })
        for device in devices { counts[device.state.rawValue, default: 0] += 1 }
        return counts
    }

    /// The exclusive end index of each wave in `devices`, strictly increasing, the last one `devices.count`.
    public var waveEnds: [Int] {
        let total = devices.count
        var ends: [Int] = []
        for fraction in waves.sorted() {
            // Tolerate binary rounding: 0.07 × 100 is 7, not 8.
            let end = min(total, Int((fraction * Double(total) - 1e-9).rounded(.up)))
            if end > (ends.last ?? 0) { ends.append(end) }
        }
        if (ends.last ?? 0) < total { ends.append(total) }
        return ends
    }

    /// Devices started and not final.
    public var activeCount: Int { devices.count(where: { $0.state.isActive }) }
    /// Devices succeeded, failed or cancelled.
    public var finishedCount: Int { devices.count(where: { $0.state.isFinal }) }
    /// Devices failed.
    public var failedCount: Int { devices.count(where: { $0.state == .failed }) }

    /// Marks the devices to start now as `scheduled` (`startedAt = now`) and returns their endpoints, in target
    /// order: pending devices of the open waves, within `maxConcurrent` and `perMinute`. `[]` unless running.
    public mutating func next(at now: Date) -> [String] {
        guard status == .running else { return [] }
        advanceWaves()
        let ends = waveEnds
        guard !ends.isEmpty else { return [] }
        var capacity = maxConcurrent - activeCount
        if let perMinute {
            let windowStart = now.addingTimeInterval(-Self.rateWindow)
            let recent = devices.count(where: { device in device.startedAt.map { $0 > windowStart } ?? false })
            capacity = min(capacity, perMinute - recent)
        }
        guard capacity > 0 else { return [] }
        var started: [String] = []
        for index in 0..<ends[currentWave] where devices[index].state == .pending {
            if started.count == capacity { break }
            devices[index].state = .scheduled
            devices[index].startedAt = now
            started.append(devices[index].endpoint)
        }
        if !started.isEmpty { updatedAt = now }
        return started
    }

    /// Records that `endpoint`'s update (`updateID`) is now in `state`. Unknown endpoints and devices already
    /// final are ignored. Completes the campaign when every device is final; otherwise pauses a running
    /// campaign whose failure share passed the threshold.
    public mutating func record(endpoint: String, updateID: Int64?, state: FirmwareUpdateState, at now: Date) {
        guard let index = devices.firstIndex(where: { $0.endpoint == endpoint }),
            !devices[index].state.isFinal
        else { return }
        devices[index].state = CampaignDeviceState(state)
        if let updateID { devices[index].updateID = updateID }
        if devices[index].startedAt == nil { devices[index].startedAt = now }
        updatedAt = now
        if status.isFinal { return }
        if devices.allSatisfy({ $0.state.isFinal }) {
            pauseReason = nil
            let counts = counts
            change(to: .completed, note: "every device finished: \(counts["succeeded"] ?? 0) succeeded, "
                + "\(counts["failed"] ?? 0) failed, \(counts["cancelled"] ?? 0) cancelled", at: now)
        } else if status == .running, thresholdExceeded {
            let finished = finishedCount - baselineFinished
            let failed = failedCount - failuresAcknowledged
            let reason = "\(failed) of \(finished) finished devices failed "
                + "(\(Self.percent(Double(failed) / Double(finished)))), above the threshold "
                + Self.percent(failureThreshold)
            pauseReason = reason
            change(to: .paused, note: reason, at: now)
        } else {
            advanceWaves()
        }
    }

    /// After a restart: devices the campaign marked started whose update was never created (the server stopped in
    /// between) go back to `pending`, to be started again. `withUpdates` are the endpoints that have an update of
    /// this campaign. Returns the endpoints put back.
    @discardableResult
    public mutating func requeueUnstarted(withUpdates: Set<String>, at now: Date) -> [String] {
        var requeued: [String] = []
        for index in devices.indices
        where devices[index].state.isActive && devices[index].updateID == nil
            && !withUpdates.contains(devices[index].endpoint)
        {
            devices[index].state = .pending
            devices[index].startedAt = nil
            requeued.append(devices[index].endpoint)
        }
        if !requeued.isEmpty { updatedAt = now }
        return requeued
    }

    /// Pauses a running campaign (no device is started; active updates go on). Returns whether it changed.
    @discardableResult
    public mutating func pause(at now: Date) -> Bool {
        guard status == .running else { return false }
        pauseReason = "paused by an operator"
        change(to: .paused, note: "paused by an operator", at: now)
        return true
    }

    /// Resumes a paused campaign and acknowledges the failures so far: the threshold then counts only devices
    /// finishing after now. Returns whether it changed.
    @discardableResult
    public mutating func resume(at now: Date) -> Bool {
        guard status == .paused else { return false }
        let newlyAcknowledged = failedCount - failuresAcknowledged
        baselineFinished = finishedCount
        failuresAcknowledged = failedCount
        pauseReason = nil
        change(to: .running, note: "resumed by an operator; \(newlyAcknowledged) failures acknowledged", at: now)
        return true
    }

    /// Cancels the campaign: pending devices become `cancelled`; returns the endpoints whose active updates the
    /// orchestrator must cancel (their final states are still recorded). `[]` when already final.
    public mutating func cancel(at now: Date) -> [String] {
        guard !status.isFinal else { return [] }
        var active: [String] = []
        var dropped = 0
        for index in devices.indices {
            if devices[index].state == .pending {
                devices[index].state = .cancelled
                dropped += 1
            } else if devices[index].state.isActive {
                active.append(devices[index].endpoint)
            }
        }
        pauseReason = nil
        change(to: .cancelled, note: "cancelled by an operator; \(dropped) pending devices dropped, "
            + "\(active.count) active updates to cancel", at: now)
        return active
    }

    // MARK: - Private

    /// Whether the failure share since the last resume is above the threshold (evaluated from 1 finished device).
    private var thresholdExceeded: Bool {
        let finished = finishedCount - baselineFinished
        guard finished >= thresholdMinimum else { return false }
        return Double(failedCount - failuresAcknowledged) / Double(finished) > failureThreshold
    }

    /// Opens the next waves while every device of the open ones is final and the share is within the threshold.
    private mutating func advanceWaves() {
        let ends = waveEnds
        while currentWave + 1 < ends.count, !thresholdExceeded,
            devices[0..<ends[currentWave]].allSatisfy({ $0.state.isFinal })
        {
            currentWave += 1
        }
    }

    private mutating func change(to next: CampaignStatus, note: String, at now: Date) {
        history.append(StatusChange(from: status, to: next, at: now, note: note))
        status = next
        updatedAt = now
    }

    /// `0.3` → `"30 %"`, `0.125` → `"12.5 %"`.
    private static func percent(_ share: Double) -> String {
        let tenths = (share * 1000).rounded()
        let whole = Int(tenths / 10)
        let rest = Int(tenths) % 10
        return rest == 0 ? "\(whole) %" : "\(whole).\(rest) %"
    }
}
