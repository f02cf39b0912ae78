import CoAP
import Foundation

/// The observers of one client (RFC 7641 §4.1 "list of observers"; LwM2M 1.1 Core §6.4): at most one entry per
/// session and token, in the order they were established. A pure value: the tree answering the requests adds and
/// removes entries, `ClientObjectTree.dueNotifications(now:maximumInterval:)` evaluates them.
public struct ClientObservations: Sendable, Equatable {
    /// The largest Observe sequence number; numbers wrap after it (RFC 7641 §4.4: 24 bits).
    public static let maxSequence: UInt32 = 0xFF_FFFF

    /// The observations, oldest first.
    public private(set) var all: [ClientObservation] = []

    /// Creates an empty list.
    public init() {}

    /// Whether nobody observes anything.
    public var isEmpty: Bool { all.isEmpty }

    /// The observation of `session` with `token`, or `nil`.
    public func observation(session: CoAPSessionID, token: [UInt8]) -> ClientObservation? {
        all.first { $0.session == session && $0.token == token }
    }

    /// Adds an observation established by an initial response, or replaces the one with the same session and token
    /// (RFC 7641 §4.1), continuing its sequence numbers so the observer keeps seeing fresh ones (RFC 7641 §4.4).
    /// Returns the Observe value of the initial response: 1 for a new observation.
    @discardableResult
    public mutating func observe(session: CoAPSessionID, token: [UInt8], paths: [LwM2MPath], isComposite: Bool,
                                 format: ContentFormat, values: [LwM2MPath: LwM2MNode], now: Date) -> UInt32 {
        let existing = all.firstIndex { $0.session == session && $0.token == token }
        let sequence = existing.map { Self.sequence(after: all[$0].sequence) } ?? 1
        let observation = ClientObservation(
            session: session, token: token, paths: paths, isComposite: isComposite, format: format,
            sequence: sequence, lastNotified: now, lastValues: values)
        if let existing {
            all[existing] = observation
        } else {
            all.append(observation)
        }
        return sequence
    }

    /// Removes the observation of `session` with `token` (GET with Observe=1 or a Reset, RFC 7641 §3.6); returns
    /// whether one existed.
    @discardableResult
    public mutating func cancel(session: CoAPSessionID, token: [UInt8]) -> Bool {
        let before = all.count
        all.removeAll { $0.session == session && $0.token == token }
        return all.count != before
    }

    /// Removes the observations of `session` on exactly `paths` (a cancel whose token matches none, as some servers
    /// send it with a fresh token; LwM2M 1.1 Core §6.4.2 Cancel Observation); returns how many were removed.
    @discardableResult
    public mutating func cancel(session: CoAPSessionID, paths: [LwM2MPath], isComposite: Bool) -> Int {
        let before = all.count
        all.removeAll { $0.session == session && $0.paths == paths && $0.isComposite == isComposite }
        return before - all.count
    }

    /// Forgets every observer, as a client does when it registers anew (LwM2M 1.1 Core §6.2.1, §6.4).
    public mutating func removeAll() {
        all.removeAll()
    }

    /// The number after `sequence`, wrapping to 0 after `maxSequence` (RFC 7641 §4.4).
    public static func sequence(after sequence: UInt32) -> UInt32 {
        (sequence &+ 1) & maxSequence
    }

    /// Records that the reporting criteria of the observation at `index` were evaluated at `now` (§5.1.2 epmin).
    mutating func recordEvaluation(at index: Int, now: Date) {
        all[index].lastEvaluated = now
    }

    /// Records a notification of the observation at `index` and returns its updated entry.
    mutating func recordNotification(at index: Int, values: [LwM2MPath: LwM2MNode], now: Date) -> ClientObservation {
        all[index].sequence = Self.sequence(after: all[index].sequence)
        all[index].notificationCount += 1
        all[index].lastNotified = now
        all[index].lastValues = values
        return all[index]
    }

    /// Removes the observation at `index` (its paths are gone or cannot be encoded any more).
    mutating func remove(at index: Int) {
        all.remove(at: index)
    }
}
