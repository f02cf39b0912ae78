import Foundation

/// The receiver of a device in LwM2M queue mode: after each message the device sends it listens for `awakeWindow`
/// seconds (Zephyr's `CONFIG_LWM2M_QUEUE_MODE_UPTIME`, by default CoAP's MAX_TRANSMIT_WAIT of 93 s, RFC 7252
/// §4.8.2), and while it is still answering a request; otherwise it is off and what the server sends is lost.
///
/// A value type driven by the times it is given: `SimulatedDevice` keeps it under its state lock.
struct QueueModeRadio: Sendable, Equatable {
    /// How the receiver's state moved, for debug logs.
    enum Change: Sendable, Equatable {
        case none
        case wokeUp
        case fellAsleep
    }

    /// Seconds the receiver stays on after a transmission.
    let awakeWindow: TimeInterval
    /// When the window of the last transmission closes (`nil`: nothing sent yet).
    private(set) var awakeUntil: Date?
    /// Requests accepted and not yet answered (`--response-delay-ms`): the receiver stays on meanwhile.
    private(set) var answersPending = 0
    /// The state last reported through a `Change`.
    private(set) var isSleeping = true

    /// Creates a radio that is off until the first transmission.
    init(awakeWindow: TimeInterval) {
        self.awakeWindow = awakeWindow
    }

    /// Whether a request arriving at `now` reaches the device.
    func isAwake(at now: Date) -> Bool {
        answersPending > 0 || awakeUntil.map { now < $0 } == true
    }

    /// The device sent a message at `now` (or got the answer to one it sent): the window restarts.
    mutating func transmitted(at now: Date) -> Change {
        let woke = !isAwake(at: now)
        let until = now.addingTimeInterval(awakeWindow)
        if awakeUntil.map({ until > $0 }) ?? true { awakeUntil = until }
        isSleeping = false
        return woke ? .wokeUp : .none
    }

    /// A request arrives at `now`: whether the device hears it, and whether the receiver went off since the last look.
    mutating func receive(at now: Date) -> (heard: Bool, change: Change) {
        let change = look(at: now)
        return (isAwake(at: now), change)
    }

    /// Notes when the window has closed since the last look (called by the simulation's ticker).
    mutating func look(at now: Date) -> Change {
        guard !isSleeping, !isAwake(at: now) else { return .none }
        isSleeping = true
        return .fellAsleep
    }

    /// A request was accepted for a later answer: the receiver stays on until `answered(at:)`.
    mutating func holdAnswer() {
        answersPending += 1
    }

    /// The held answer went out at `now` (or could not): the window restarts.
    mutating func answered(at now: Date) -> Change {
        let change = transmitted(at: now)
        answersPending = max(0, answersPending - 1)
        return change
    }
}
