import Foundation

/// When a client notifies an observer (LwM2M 1.1 Core §5.1.2 notification attributes, §6.4.2): after `pmax`
/// seconds whatever the value, or when the value changed and `pmin` seconds have passed since the last
/// notification. On a numeric single value, `gt`/`lt` (crossing the threshold, either way) and `st` (moving at
/// least the step away from the last notified value) narrow "changed"; set together they are alternatives.
///
/// Defaults: `pmin` 0, no `pmax` (only changes notify). `pmax` not greater than `pmin` is ignored (§5.1.2).
/// `epmin` spaces the evaluations of "changed" (see `mayEvaluate`); `epmax` is met by callers that evaluate at
/// least once a second.
public enum ClientNotificationRule {
    /// Whether a notification is due at `now` for a value last notified as `last` at `lastNotified`, now `current`.
    /// `maximumInterval` (seconds, > 0) bounds the period the way `pmax` does, for observers that set none;
    /// `evaluate` false (held back by `epmin`) leaves only the period.
    public static func isDue(attributes: NotificationAttributes, last: LwM2MNode?, current: LwM2MNode?,
                             lastNotified: Date, now: Date, maximumInterval: TimeInterval? = nil,
                             evaluate: Bool = true) -> Bool {
        let elapsed = now.timeIntervalSince(lastNotified)
        let pmin = TimeInterval(max(attributes.pmin ?? 0, 0))
        if let period = period(attributes, maximumInterval: maximumInterval), elapsed >= max(period, pmin) {
            return true
        }
        return evaluate && elapsed >= pmin && changed(attributes: attributes, from: last, to: current)
    }

    /// Whether the reporting criteria may be evaluated at `now` (LwM2M 1.1 Core §5.1.2 epmin: at least `epmin`
    /// seconds between two evaluations).
    public static func mayEvaluate(epmin: Int?, lastEvaluated: Date, now: Date) -> Bool {
        now.timeIntervalSince(lastEvaluated) >= TimeInterval(max(epmin ?? 0, 0))
    }

    /// The longest a client stays silent (LwM2M 1.1 Core §5.1.2 pmax): `pmax` when greater than `pmin`, bounded by
    /// `maximumInterval`; `nil` when neither applies.
    public static func period(_ attributes: NotificationAttributes, maximumInterval: TimeInterval?) -> TimeInterval? {
        var period: TimeInterval?
        if let pmax = attributes.pmax, pmax > (attributes.pmin ?? 0) { period = TimeInterval(pmax) }
        if let maximumInterval, maximumInterval > 0 { period = min(period ?? maximumInterval, maximumInterval) }
        return period
    }

    /// Whether the value changed enough to notify (LwM2M 1.1 Core §5.1.2 gt, lt, st); any difference counts for
    /// non-numeric nodes or when no threshold is set.
    public static func changed(attributes: NotificationAttributes, from last: LwM2MNode?, to current: LwM2MNode?)
        -> Bool
    {
        guard last != current else { return false }
        guard attributes.gt != nil || attributes.lt != nil || attributes.st != nil,
            let old = last.flatMap(number), let new = current.flatMap(number)
        else { return true }
        if let gt = attributes.gt, (old > gt) != (new > gt) { return true }
        if let lt = attributes.lt, (old < lt) != (new < lt) { return true }
        if let st = attributes.st, abs(new - old) >= st { return true }
        return false
    }

    /// The number a single numeric resource or resource instance holds, else `nil`.
    static func number(_ node: LwM2MNode) -> Double? {
        let value: LwM2MValue?
        switch node {
        case .resource(let resource): value = resource.value
        case .resourceInstance(let instance): value = instance.value
        case .object, .objectInstance: value = nil
        }
        switch value {
        case .integer(let number)?: return Double(number)
        case .unsignedInteger(let number)?: return Double(number)
        case .float(let number)?: return number
        case .string?, .boolean?, .opaque?, .time?, .objlnk?, .corelnk?, nil: return nil
        }
    }
}
