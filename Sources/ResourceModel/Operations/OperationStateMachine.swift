import Foundation

/// The life of one queued device operation as a pure state machine (SwiftNIO style: events are mutating methods
/// that return what to do; a thin service carries the actions out). Time is always passed in.
///
/// `queued → sending → succeeded | failed`; `sending → queued` on a timeout or an unreachable device while
/// attempts remain (exponential back-off with jitter); `queued | sending → expired` once the deadline passes;
/// `queued → cancelled` by an operator. Every transition is recorded in `history`.
///
/// Non-idempotent operations (Execute, Create: `retriesAllowed == false`) are at-most-once: a
/// transient failure after the request may have reached the device fails them instead of sending again, and so
/// does a restart that finds them `sending`.
public struct OperationStateMachine: Sendable, Equatable {
    /// One recorded transition.
    public struct Transition: Sendable, Equatable, Codable {
        /// The status before.
        public var from: OperationStatus
        /// The status after.
        public var to: OperationStatus
        /// When it happened.
        public var at: Date
        /// Why, for operators.
        public var note: String
    }

    /// What the caller must do after an event.
    public enum Action: Sendable, Equatable {
        /// Send the operation to the device now (the attempt has started: status is `sending`).
        case send
        /// Queued and due: dispatch it as soon as the device is reachable.
        case ready
        /// Nothing until `at` (a retry's back-off, or `notBefore`).
        case waitUntil(Date)
        /// The operation reached a final status.
        case finished(OperationStatus)
        /// The event did not apply (e.g. cancelling a finished operation); nothing changed.
        case rejected(String)
    }

    /// Back-off parameters.
    public struct RetryPolicy: Sendable, Equatable {
        /// The delay before the first retry.
        public var baseDelay: TimeInterval
        /// The largest delay.
        public var maxDelay: TimeInterval
        /// Random spread around each delay, as a fraction (0.2: ±20 %).
        public var jitter: Double

        /// Creates a policy.
        public init(baseDelay: TimeInterval = 2, maxDelay: TimeInterval = 300, jitter: Double = 0.2) {
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
            self.jitter = jitter
        }

        /// The delay before retry number `attempt` (1 = first retry), for a random draw `unit` in 0...1.
        public func delay(afterAttempt attempt: Int, unit: Double) -> TimeInterval {
            let exponential = min(maxDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
            let spread = exponential * jitter * (unit * 2 - 1)
            return max(0, min(maxDelay, exponential + spread))
        }
    }

    /// The current status.
    public private(set) var status: OperationStatus
    /// Attempts made so far (sends).
    public private(set) var attempts: Int
    /// The most attempts allowed.
    public let maxAttempts: Int
    /// Whether a retry after a possibly delivered request is allowed (idempotent operations, or the operator allowed it).
    public let retriesAllowed: Bool
    /// Not to be sent before this instant (first send or next retry).
    public private(set) var notBefore: Date
    /// The deadline; `nil` for none.
    public let expiresAt: Date?
    /// The last error, for operators.
    public private(set) var lastError: String?
    /// Every transition so far.
    public private(set) var history: [Transition]
    /// The back-off policy.
    public let retryPolicy: RetryPolicy

    /// A newly queued operation.
    public init(createdAt: Date, notBefore: Date? = nil, expiresAt: Date? = nil, maxAttempts: Int = 3,
                retriesAllowed: Bool, retryPolicy: RetryPolicy = RetryPolicy()) {
        precondition(maxAttempts >= 1, "maxAttempts must be at least 1")
        status = .queued
        attempts = 0
        self.maxAttempts = maxAttempts
        self.retriesAllowed = retriesAllowed
        self.notBefore = notBefore ?? createdAt
        self.expiresAt = expiresAt
        self.retryPolicy = retryPolicy
        history = [Transition(from: .queued, to: .queued, at: createdAt, note: "queued")]
    }

    /// An operation read back from storage. Its earlier transitions stay in the store; `history` collects only
    /// the ones made from here on.
    public init(restoring status: OperationStatus, attempts: Int, maxAttempts: Int, retriesAllowed: Bool,
                notBefore: Date, expiresAt: Date?, lastError: String?, retryPolicy: RetryPolicy = RetryPolicy()) {
        self.status = status
        self.attempts = attempts
        self.maxAttempts = max(1, maxAttempts)
        self.retriesAllowed = retriesAllowed
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.lastError = lastError
        self.retryPolicy = retryPolicy
        history = []
    }

    /// The dispatcher wants to send (the device is reachable): `send`, or why not yet.
    public mutating func dispatch(now: Date) -> Action {
        switch status {
        case .queued:
            if let expired = expireIfDue(now: now) { return expired }
            if now < notBefore { return .waitUntil(notBefore) }
            attempts += 1
            move(to: .sending, at: now, note: "attempt \(attempts) of \(maxAttempts)")
            return .send
        case .sending, .succeeded, .failed, .expired, .cancelled:
            return .rejected("cannot send an operation that is \(status.rawValue)")
        }
    }

    /// The device answered with success.
    public mutating func succeeded(now: Date, note: String = "device answered") -> Action {
        guard status == .sending else { return .rejected("no attempt in flight (\(status.rawValue))") }
        move(to: .succeeded, at: now, note: note)
        return .finished(.succeeded)
    }

    /// The device answered with an error (4.xx/5.xx) or the request was invalid: no retry helps.
    public mutating func failed(now: Date, error: String) -> Action {
        guard status == .sending else { return .rejected("no attempt in flight (\(status.rawValue))") }
        lastError = error
        move(to: .failed, at: now, note: error)
        return .finished(.failed)
    }

    /// A timeout or an unreachable device: retry with back-off while attempts remain and a retry is safe.
    /// `requestMayHaveArrived` is false when the request provably never left (e.g. the device was offline).
    public mutating func transientFailure(now: Date, error: String, requestMayHaveArrived: Bool, unit: Double) -> Action {
        guard status == .sending else { return .rejected("no attempt in flight (\(status.rawValue))") }
        lastError = error
        if requestMayHaveArrived && !retriesAllowed {
            move(to: .failed, at: now, note: "\(error); not retried: the operation is at-most-once")
            return .finished(.failed)
        }
        guard attempts < maxAttempts else {
            move(to: .failed, at: now, note: "\(error); no attempts left")
            return .finished(.failed)
        }
        notBefore = now.addingTimeInterval(retryPolicy.delay(afterAttempt: attempts, unit: unit))
        if let expiresAt, notBefore >= expiresAt {
            move(to: .expired, at: now, note: "\(error); the next retry would be past the deadline")
            return .finished(.expired)
        }
        move(to: .queued, at: now, note: "\(error); retry after \(Self.instant(notBefore))")
        return .waitUntil(notBefore)
    }

    /// The deadline check, run by the dispatcher's sweep.
    public mutating func tick(now: Date) -> Action {
        switch status {
        case .queued, .sending:
            return expireIfDue(now: now) ?? (status == .queued && now < notBefore ? .waitUntil(notBefore) : .rejected("not due"))
        case .succeeded, .failed, .expired, .cancelled:
            return .rejected("already \(status.rawValue)")
        }
    }

    /// An operator cancels: only a queued operation can be (one in flight is already at the device).
    public mutating func cancel(now: Date, by who: String = "operator") -> Action {
        guard status == .queued else { return .rejected("cannot cancel an operation that is \(status.rawValue)") }
        move(to: .cancelled, at: now, note: "cancelled by \(who)")
        return .finished(.cancelled)
    }

    /// The server restarted and found the operation in this state: a `sending` one is retried when that is
    /// safe, else failed (it may or may not have reached the device; never duplicated silently).
    public mutating func recoverAfterRestart(now: Date) -> Action {
        switch status {
        case .sending:
            if retriesAllowed && attempts < maxAttempts {
                move(to: .queued, at: now, note: "server restarted during attempt \(attempts); retrying")
                return expireIfDue(now: now) ?? .ready
            }
            lastError = "server restarted while the request was in flight"
            move(to: .failed, at: now, note: retriesAllowed
                 ? "server restarted during the last attempt"
                 : "server restarted while in flight; not retried: the operation is at-most-once")
            return .finished(.failed)
        case .queued:
            return expireIfDue(now: now) ?? (now < notBefore ? .waitUntil(notBefore) : .ready)
        case .succeeded, .failed, .expired, .cancelled:
            return .finished(status)
        }
    }

    private mutating func expireIfDue(now: Date) -> Action? {
        guard let expiresAt, now >= expiresAt, !status.isFinal else { return nil }
        move(to: .expired, at: now, note: "deadline \(Self.instant(expiresAt)) passed")
        return .finished(.expired)
    }

    /// An instant in notes, as the REST API writes instants (ISO 8601, UTC, milliseconds).
    static func instant(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    private mutating func move(to next: OperationStatus, at now: Date, note: String) {
        history.append(Transition(from: status, to: next, at: now, note: note))
        status = next
    }
}
