import Foundation

/// One firmware update of one endpoint as a pure state machine, driven by the device's LwM2M Object 5
/// (Firmware Update, LwM2M 1.1 Core §E.6) resources. `handle(_:at:)` is the only way to change it; it returns the
/// device requests to send. The caller stores the value after every call; time is always passed in.
///
/// `scheduled → delivering` (observe `/5/0/3` and `/5/0/5`, write `/5/0/1` or push `/5/0/0`) `→ downloaded`
/// (State 2; execute `/5/0/2`) `→ updating` (Update accepted or State 3) `→ verifying` (Update Result 1 or the
/// device came back) `→ succeeded` (the device reports the target version in `/3/0/3` or `/5/0/7`). Failures
/// (Update Result 2...9, 11, refusals, impossible device states, timeouts, a wrong version) end in `failed`
/// unless they are retryable and attempts remain: then the update goes back to `delivering`, a push resuming at
/// `bytesDelivered`. Every state change appends one `Transition`.
///
/// Values reported while `delivering` before the device took the delivery (`deliveryAcknowledged`) are leftovers
/// of an earlier update (a device keeps its State and Update Result until a new download starts) and are only
/// recorded. A cancel while the device installs (`updating`, `verifying`) cannot stop it: it is recorded in
/// `cancelRequested`, no retry follows, and an outcome other than success ends in `cancelled`.
public struct FirmwareUpdate: Sendable, Equatable, Codable, Identifiable {
    /// One recorded change of `state` (or, with `from == to`, a retry or a cancel request within a phase).
    public struct Transition: Sendable, Equatable, Codable {
        /// The state before.
        public var from: FirmwareUpdateState
        /// The state after.
        public var to: FirmwareUpdateState
        /// When it happened.
        public var at: Date
        /// Why, for operators.
        public var note: String

        /// Creates a transition.
        public init(from: FirmwareUpdateState, to: FirmwareUpdateState, at: Date, note: String) {
            self.from = from
            self.to = to
            self.at = at
            self.note = note
        }
    }

    /// The update's id.
    public let id: Int64
    /// The endpoint client name.
    public let endpoint: String
    /// The firmware image installed.
    public let firmwareID: Int64
    /// The version the device must report afterwards (`/3/0/3` or `/5/0/7`).
    public let targetVersion: String
    /// How the package reaches the device.
    public let method: FirmwareDeliveryMethod
    /// Where the update stands.
    public private(set) var state: FirmwareUpdateState
    /// The device's firmware version when the update was created, if known.
    public let versionBefore: String?
    /// The version the device came back with.
    public private(set) var versionAfter: String?
    /// Bytes of the package delivered so far (the resumption point of a push).
    public private(set) var bytesDelivered: Int64
    /// The size of the package; 0 when unknown.
    public let totalBytes: Int64
    /// Deliveries started so far (the first one and the retries).
    public private(set) var attempts: Int
    /// The most deliveries allowed.
    public let maxAttempts: Int
    /// The last error, for operators.
    public private(set) var lastError: String?
    /// The last `/5/0/5` Update Result seen.
    public private(set) var resultCode: Int?
    /// The last `/5/0/3` State seen.
    public private(set) var deviceState: Int?
    /// Every transition so far, oldest first.
    public private(set) var history: [Transition]
    /// When the current phase times out; `nil` in `scheduled` and final states.
    public private(set) var deadline: Date?
    /// When `/5/0/3` and `/5/0/5` (in `verifying`: the versions) are read if no notification arrives before.
    public private(set) var nextReadAt: Date?
    /// Whether the device took the current delivery (the URI write or a block was acknowledged, or it reported
    /// Downloading); before, reported values are leftovers of an earlier update.
    public private(set) var deliveryAcknowledged: Bool
    /// A device's refusal of the package URI write, held until `/5/0/3` is read: a device already Downloading
    /// (or Downloaded) refuses a second write of the URI — after a restart, a write that may have arrived is sent
    /// again — and then it has the delivery; an Idle device meant the refusal.
    public private(set) var uriRefusal: String?
    /// When the update was created.
    public let createdAt: Date
    /// The last change of any field.
    public private(set) var updatedAt: Date
    /// Whether an operator cancelled the update (no retries follow).
    public private(set) var cancelRequested: Bool
    /// The phase timeouts and the fallback read period.
    public let timeouts: FirmwareUpdateTimeouts
    /// Whether the device has the LwM2M 1.1 Cancel resource `/5/0/10`; otherwise a cancel writes an empty URI.
    public let supportsCancelResource: Bool

    /// A scheduled update. `maxAttempts` is at least 1.
    public init(
        id: Int64, endpoint: String, firmwareID: Int64, targetVersion: String, method: FirmwareDeliveryMethod,
        totalBytes: Int64 = 0, versionBefore: String? = nil, maxAttempts: Int = 3,
        timeouts: FirmwareUpdateTimeouts = FirmwareUpdateTimeouts(), supportsCancelResource: Bool = false,
        at now: Date
    ) {
        self.id = id
        self.endpoint = endpoint
        self.firmwareID = firmwareID
        self.targetVersion = targetVersion
        self.method = method
        self.state = .scheduled
        self.versionBefore = versionBefore
        self.versionAfter = nil
        self.bytesDelivered = 0
        self.totalBytes = max(0, totalBytes)
        self.attempts = 0
        self.maxAttempts = max(1, maxAttempts)
        self.lastError = nil
        self.resultCode = nil
        self.deviceState = nil
        self.history = []
        self.deadline = nil
        self.nextReadAt = nil
        self.deliveryAcknowledged = false
        self.createdAt = now
        self.updatedAt = now
        self.cancelRequested = false
        self.timeouts = timeouts
        self.supportsCancelResource = supportsCancelResource
    }

    /// The earliest instant a `tick` can change something (a deadline or a fallback read); `nil` for none.
    public var nextTickDue: Date? {
        [deadline, nextReadAt].compactMap { $0 }.min()
    }

    /// Applies an event at `now` and returns the device requests to send, in order. Events in final states
    /// are ignored (`[]`, no change).
    public mutating func handle(_ event: FirmwareUpdateEvent, at now: Date) -> [FirmwareUpdateAction] {
        guard !state.isFinal else { return [] }
        let before = self
        let actions: [FirmwareUpdateAction]
        switch event {
        case .start: actions = start(at: now)
        case .requestSucceeded(let request): actions = succeeded(request, at: now)
        case .requestFailed(let request, let reason, let transient):
            actions = failed(request, reason: reason, transient: transient, at: now)
        case .deliveryProgress(let bytes): actions = progressed(to: bytes, at: now)
        case .deviceState(let value): actions = deviceReported(state: value, at: now)
        case .updateResult(let code): actions = deviceReported(result: code, at: now)
        case .deviceCameBack(let firmwareVersion, let packageVersion):
            actions = cameBack(firmwareVersion: firmwareVersion, packageVersion: packageVersion, at: now)
        case .tick: actions = ticked(at: now)
        case .cancel: actions = cancelled(at: now)
        }
        if self != before { updatedAt = now }
        return actions
    }

    /// What to send after a server restart for the stored phase: re-observe and re-read `/5/0/3` and `/5/0/5`
    /// (observations may be gone), and for a push in `delivering` resume at `bytesDelivered`; in `verifying`
    /// read the versions. `[]` in `scheduled` (send `start`), in final states, and when the deadline has
    /// passed at `now` (the next `tick` retries or fails).
    public func resumeActions(at now: Date) -> [FirmwareUpdateAction] {
        if let deadline, now >= deadline { return [] }
        switch state {
        case .scheduled, .succeeded, .failed, .cancelled:
            return []
        case .delivering:
            var actions: [FirmwareUpdateAction] = [.observe(FirmwareResource.progress),
                                                   .read(FirmwareResource.progress)]
            if method == .push && (totalBytes == 0 || bytesDelivered < totalBytes) {
                actions.append(.pushPackage(resumeAt: bytesDelivered))
            }
            return actions
        case .downloaded, .updating:
            return [.observe(FirmwareResource.progress), .read(FirmwareResource.progress)]
        case .verifying:
            return [.read(FirmwareResource.versions)]
        }
    }

    // MARK: - Events

    private mutating func start(at now: Date) -> [FirmwareUpdateAction] {
        guard state == .scheduled else { return [] }
        attempts = 1
        deliveryAcknowledged = false
        move(to: .delivering, note: "delivery started (\(method.rawValue))", at: now)
        return [.observe(FirmwareResource.progress), deliveryRequest]
    }

    private mutating func succeeded(_ request: FirmwareRequest, at now: Date) -> [FirmwareUpdateAction] {
        switch (request, state) {
        case (.writePackageURI, .delivering):
            return acknowledgeDelivery()
        case (.pushPackage, .delivering):
            if totalBytes > 0 { bytesDelivered = max(bytesDelivered, totalBytes) }
            return acknowledgeDelivery()
        case (.executeUpdate, .downloaded):
            move(to: .updating, note: "device accepted Update (/5/0/2)", at: now)
            return []
        default:
            return []
        }
    }

    private mutating func failed(
        _ request: FirmwareRequest, reason: String, transient: Bool, at now: Date
    ) -> [FirmwareUpdateAction] {
        switch (request, state) {
        case (.writePackageURI, .delivering):
            if transient { return fail("could not write the package URI (\(reason))", retryable: true, at: now) }
            // Find out first whether the device is already downloading (a repeated write).
            uriRefusal = "device refused the package URI (\(reason))"
            return [.read([.state])]
        case (.pushPackage, .delivering):
            let text = transient
                ? "package transfer interrupted at byte \(bytesDelivered)" : "device refused the package"
            return fail("\(text) (\(reason))", retryable: transient, at: now)
        case (.executeUpdate, .downloaded):
            // Execute is not idempotent: after a lost answer, find out whether the device started.
            if transient { return [.read(FirmwareResource.progress)] }
            return fail("device refused Update /5/0/2 (\(reason))", retryable: false, at: now)
        default:
            return []
        }
    }

    private mutating func progressed(to bytes: Int64, at now: Date) -> [FirmwareUpdateAction] {
        guard state == .delivering else { return [] }
        bytesDelivered = max(0, bytes)
        restartFallbackRead(at: now)
        // A push that moves bytes is alive: its delivery timeout counts from the last progress.
        if method == .push { deadline = now.addingTimeInterval(timeouts.delivering) }
        return acknowledgeDelivery()
    }

    private mutating func deviceReported(state value: Int, at now: Date) -> [FirmwareUpdateAction] {
        deviceState = value
        if state != .scheduled { restartFallbackRead(at: now) }
        guard (0...3).contains(value) else { return impossible(value, at: now) }
        switch (state, value) {
        case (.verifying, 3):
            // A late Updating: notifications and registrations travel separate paths, so the report sent
            // before the reboot may be handled after the device came back. Only recorded.
            return []
        case (.verifying, 2):
            // Back to Downloaded after the device came back: the installation failed; fetch the result.
            return [.read([.updateResult])]
        case (.downloaded, 1), (.updating, 1), (.verifying, 1):
            // An earlier State arriving just after the phase changed is a late report (reads and notifications
            // travel separate paths); later it is impossible.
            if isLateReport(at: now) { return [] }
            return impossible(value, at: now)
        case (.scheduled, 3), (.delivering, 3):
            return impossible(value, at: now)
        case (.delivering, 0):
            if let refusal = uriRefusal, !deliveryAcknowledged {
                uriRefusal = nil
                return fail(refusal, retryable: false, at: now)
            }
            // Back to Idle after the device took the package: a failure result should follow; fetch it.
            return deliveryAcknowledged ? [.read([.updateResult])] : []
        case (.delivering, 1):
            uriRefusal = nil
            return acknowledgeDelivery()
        case (.delivering, 2):
            if uriRefusal != nil {
                // Refused because it holds the package already: the earlier write arrived.
                uriRefusal = nil
                deliveryAcknowledged = true
            }
            guard deliveryAcknowledged else { return [] }
            if method == .push && totalBytes > 0 { bytesDelivered = totalBytes }
            move(to: .downloaded, note: "device downloaded the package (/5/0/3 = 2)", at: now)
            return [.executeUpdate]
        case (.downloaded, 0), (.updating, 2):
            // The package was dropped (Idle) or the installation failed back to Downloaded: fetch the result.
            return [.read([.updateResult])]
        case (.downloaded, 3):
            move(to: .updating, note: "device is updating (/5/0/3 = 3)", at: now)
            return []
        case (.updating, 0):
            guard resultCode == 1 else { return [.read([.updateResult])] }
            return verify(note: "device is idle with update result 1", firmwareVersion: nil, packageVersion: nil,
                          at: now)
        default:
            return []
        }
    }

    private mutating func deviceReported(result code: Int, at now: Date) -> [FirmwareUpdateAction] {
        resultCode = code
        if state != .scheduled { restartFallbackRead(at: now) }
        // Before the device took the delivery, a result is a leftover of an earlier update.
        if state == .scheduled || (state == .delivering && !deliveryAcknowledged) { return [] }
        let result = FirmwareResult(code: code)
        switch result.outcome {
        case .notAResult:
            return []
        case .success:
            guard state == .updating else { return [] }
            return verify(note: "device reported update result 1 (\(result.reason))", firmwareVersion: nil,
                          packageVersion: nil, at: now)
        case .cancelled:
            lastError = result.reason
            return finish(.cancelled, note: "device reported update result 10 (\(result.reason))", at: now)
        case .failure:
            return fail("\(result.reason) (update result \(code))", retryable: result.isRetryable, at: now)
        }
    }

    private mutating func cameBack(
        firmwareVersion: String?, packageVersion: String?, at now: Date
    ) -> [FirmwareUpdateAction] {
        switch state {
        case .scheduled, .succeeded, .failed, .cancelled:
            return []
        case .delivering, .downloaded:
            // A new registration drops observations: observe again and catch up.
            return [.observe(FirmwareResource.progress), .read(FirmwareResource.progress)]
        case .updating, .verifying:
            return verify(note: "device came back after the update", firmwareVersion: firmwareVersion,
                          packageVersion: packageVersion, at: now)
        }
    }

    private mutating func ticked(at now: Date) -> [FirmwareUpdateAction] {
        guard state != .scheduled else { return [] }
        if let deadline, now >= deadline {
            let seconds = Int(timeouts.timeout(for: state) ?? 0)
            // Re-delivering while a device may be installing is unsafe: only delivery and execute time out
            // into a retry.
            let retryable = state == .delivering || state == .downloaded
            return fail("timed out in \(state.rawValue) after \(seconds) s", retryable: retryable, at: now)
        }
        if let nextReadAt, now >= nextReadAt {
            restartFallbackRead(at: now)
            return [.read(state == .verifying ? FirmwareResource.versions : FirmwareResource.progress)]
        }
        return []
    }

    private mutating func cancelled(at now: Date) -> [FirmwareUpdateAction] {
        switch state {
        case .scheduled:
            cancelRequested = true
            return finish(.cancelled, note: "cancelled before the delivery started", at: now)
        case .delivering, .downloaded:
            cancelRequested = true
            let reset: FirmwareUpdateAction = supportsCancelResource ? .executeCancel : .writeEmptyPackageURI
            let how = supportsCancelResource ? "executing Cancel /5/0/10" : "writing an empty package URI"
            return [reset] + finish(.cancelled, note: "cancelled by an operator (\(how))", at: now)
        case .updating, .verifying:
            guard !cancelRequested else { return [] }
            cancelRequested = true
            record(to: state, note: "cancel requested while the device installs; it cannot be stopped, no retry "
                + "will follow", at: now)
            return []
        case .succeeded, .failed, .cancelled:
            return []
        }
    }

    // MARK: - Steps

    /// The request that delivers the package from the start (or the resumption point of a push).
    private var deliveryRequest: FirmwareUpdateAction {
        method == .push ? .pushPackage(resumeAt: bytesDelivered) : .writePackageURI
    }

    private mutating func acknowledgeDelivery() -> [FirmwareUpdateAction] {
        guard !deliveryAcknowledged else { return [] }
        deliveryAcknowledged = true
        // A Downloaded or an Update Result seen before may have been a leftover, or the device's answer to this
        // delivery overtaking the acknowledgement (a device that fails at once, not enough flash): read them now.
        var reads: [FirmwareResource] = []
        if deviceState == 2 { reads.append(.state) }
        if let resultCode, resultCode != 0 { reads.append(.updateResult) }
        return reads.isEmpty ? [] : [.read(reads)]
    }

    private mutating func verify(
        note: String, firmwareVersion: String?, packageVersion: String?, at now: Date
    ) -> [FirmwareUpdateAction] {
        if state != .verifying { move(to: .verifying, note: note, at: now) }
        guard firmwareVersion != nil || packageVersion != nil else { return [.read(FirmwareResource.versions)] }
        let target = targetVersion.trimmingCharacters(in: .whitespacesAndNewlines)
        let reported = [firmwareVersion, packageVersion].compactMap { $0 }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
        if let match = reported.first(where: { $0 == target }) {
            versionAfter = match
            lastError = nil
            return finish(.succeeded, note: "device came back with the target version \(match)", at: now)
        }
        guard let found = reported.first else {
            return fail("device came back without a version in /3/0/3 or /5/0/7, expected \(targetVersion)",
                        retryable: false, at: now)
        }
        versionAfter = found
        return fail("device came back with version \(found), expected \(targetVersion)", retryable: false, at: now)
    }

    /// How long after a phase change an earlier device State counts as a late report rather than an impossible one.
    public static let lateReportWindow: TimeInterval = 10

    /// Whether a report at `now` may be a late one: the phase changed less than `lateReportWindow` ago.
    private func isLateReport(at now: Date) -> Bool {
        guard let changed = history.last?.at else { return false }
        return now.timeIntervalSince(changed) < Self.lateReportWindow
    }

    private mutating func impossible(_ value: Int, at now: Date) -> [FirmwareUpdateAction] {
        fail("impossible transition: device reported state \(value) while \(state.rawValue)", retryable: false,
             at: now)
    }

    /// Ends the update, or retries it when `retryable` and attempts remain; a requested cancel ends it cancelled.
    private mutating func fail(_ reason: String, retryable: Bool, at now: Date) -> [FirmwareUpdateAction] {
        lastError = reason
        if cancelRequested { return finish(.cancelled, note: "cancelled as requested; \(reason)", at: now) }
        if retryable && attempts < maxAttempts { return retry(after: reason, at: now) }
        return finish(.failed, note: reason, at: now)
    }

    /// Back to `delivering`: a push interrupted while delivering resumes at `bytesDelivered`; otherwise a device
    /// not known to be Idle is reset first and the package is delivered from the start.
    private mutating func retry(after reason: String, at now: Date) -> [FirmwareUpdateAction] {
        attempts += 1
        deliveryAcknowledged = false
        uriRefusal = nil
        var actions: [FirmwareUpdateAction] = []
        var note = "retry \(attempts) of \(maxAttempts) after: \(reason)"
        if method == .push && state == .delivering {
            note += "; resuming at byte \(bytesDelivered)"
        } else {
            if deviceState != 0 {
                actions.append(.writeEmptyPackageURI)
                note += "; device reset first"
            }
            bytesDelivered = 0
        }
        actions.append(deliveryRequest)
        move(to: .delivering, note: note, at: now)
        return actions
    }

    private mutating func finish(
        _ final: FirmwareUpdateState, note: String, at now: Date
    ) -> [FirmwareUpdateAction] {
        let observed = state != .scheduled
        move(to: final, note: note, at: now)
        return observed ? [.cancelObservation(FirmwareResource.progress)] : []
    }

    /// Enters `next`: records the transition and sets the phase's deadline and fallback read.
    private mutating func move(to next: FirmwareUpdateState, note: String, at now: Date) {
        record(to: next, note: note, at: now)
        state = next
        deadline = timeouts.timeout(for: next).map { now.addingTimeInterval($0) }
        if next.isFinal || next == .scheduled {
            nextReadAt = nil
        } else {
            restartFallbackRead(at: now)
        }
    }

    private mutating func record(to next: FirmwareUpdateState, note: String, at now: Date) {
        history.append(Transition(from: state, to: next, at: now, note: note))
    }

    private mutating func restartFallbackRead(at now: Date) {
        nextReadAt = now.addingTimeInterval(timeouts.fallbackReadAfter)
    }
}
