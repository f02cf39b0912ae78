import Foundation

/// The active observations, by token (for notifications) and by endpoint (for REST and re-registration), with
/// what the server knows of each one's health: when it last brought a notification and whether it is stale.
public struct ObservationTable: Sendable {
    private var byToken: [[UInt8]: Observation] = [:]
    private var tokensByEndpoint: [String: Set<[UInt8]>] = [:]
    private var health: [[UInt8]: Tracking] = [:]

    /// What is tracked per observation besides the observation itself.
    private struct Tracking: Sendable {
        /// Since when silence is counted: the last notification, or when the observation was added.
        var heardAt: Date
        var lastNotificationAt: Date?
        var staleSince: Date?
        var staleReason: String?
        /// A re-establishment is under way, so another Update does not start a second one.
        var renewing = false
    }

    /// Creates an empty table.
    public init() {}

    /// The number of observations.
    public var count: Int { byToken.count }

    /// Adds (or replaces, by token) an observation; silence is counted from `heardAt` (its creation by default,
    /// the restart for one restored from storage).
    public mutating func add(_ observation: Observation, heardAt: Date? = nil) {
        byToken[observation.token] = observation
        tokensByEndpoint[observation.endpoint, default: []].insert(observation.token)
        health[observation.token] = Tracking(heardAt: heardAt ?? observation.createdAt)
    }

    /// The observation a notification with `token` belongs to.
    public func observation(token: [UInt8]) -> Observation? { byToken[token] }

    /// The observations of `endpoint`, oldest first.
    public func observations(endpoint: String) -> [Observation] {
        (tokensByEndpoint[endpoint] ?? []).compactMap { byToken[$0] }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// Removes the observations with these ids and returns them.
    @discardableResult
    public mutating func remove(ids: Set<String>) -> [Observation] {
        let removed = byToken.values.filter { ids.contains($0.id) }
        for observation in removed {
            byToken[observation.token] = nil
            health[observation.token] = nil
            tokensByEndpoint[observation.endpoint]?.remove(observation.token)
            if tokensByEndpoint[observation.endpoint]?.isEmpty == true { tokensByEndpoint[observation.endpoint] = nil }
        }
        return removed
    }

    // MARK: - Health

    /// Records a notification of the observation with `token` at `date`: it is live, and no longer stale.
    /// Returns whether it was stale.
    @discardableResult
    public mutating func noteNotification(token: [UInt8], at date: Date) -> Bool {
        guard var tracking = health[token] else { return false }
        let wasStale = tracking.staleSince != nil
        tracking.heardAt = date
        tracking.lastNotificationAt = date
        tracking.staleSince = nil
        tracking.staleReason = nil
        health[token] = tracking
        return wasStale
    }

    /// Marks stale, at `now`, every observation with a `pmax` that brought no notification for `factor` × `pmax`
    /// (a client must notify at least every `pmax`, LwM2M 1.1 Core §5.1.2); returns those newly marked.
    public mutating func markSilent(now: Date, factor: Double) -> [Observation] {
        guard factor > 0 else { return [] }
        var marked: [Observation] = []
        for (token, tracking) in health where tracking.staleSince == nil {
            guard let observation = byToken[token], let pmax = observation.attributes?.pmax, pmax > 0 else { continue }
            let allowed = factor * Double(pmax)
            guard now.timeIntervalSince(tracking.heardAt) > allowed else { continue }
            health[token]?.staleSince = now
            health[token]?.staleReason = "no notification for \(Self.seconds(allowed)) s (\(Self.seconds(factor)) × pmax)"
            marked.append(observation)
        }
        return marked
    }

    /// Marks every observation of `endpoint` stale at `now` for `reason` (the client stopped answering); returns
    /// those newly marked.
    public mutating func markStale(endpoint: String, at now: Date, reason: String) -> [Observation] {
        var marked: [Observation] = []
        for token in tokensByEndpoint[endpoint] ?? [] where health[token]?.staleSince == nil {
            guard let observation = byToken[token] else { continue }
            health[token]?.staleSince = now
            health[token]?.staleReason = reason
            marked.append(observation)
        }
        return marked
    }

    /// The stale observations of `endpoint` not already being re-established, now marked as being so.
    public mutating func beginRenewal(endpoint: String) -> [Observation] {
        observations(endpoint: endpoint).filter { observation in
            guard let tracking = health[observation.token], tracking.staleSince != nil, !tracking.renewing else {
                return false
            }
            health[observation.token]?.renewing = true
            return true
        }
    }

    /// Ends a re-establishment that did not replace `observation` (it stays stale, for the next Update).
    public mutating func endRenewal(_ observation: Observation) {
        health[observation.token]?.renewing = false
    }

    /// The health of the observation with `token`.
    public func health(token: [UInt8]) -> ObservationHealth? {
        health[token].map {
            ObservationHealth(
                status: $0.staleSince == nil ? .active : .stale, lastNotificationAt: $0.lastNotificationAt,
                staleSince: $0.staleSince, staleReason: $0.staleReason)
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// Whether an observation still brings notifications, as far as the server can tell.
public struct ObservationHealth: Sendable, Equatable {
    /// `active`, or `stale`: the client seems to have stopped notifying (silent for several `pmax`, or it stopped
    /// answering requests). A stale observation is re-established at the client's next Register or Update.
    public enum Status: String, Sendable, Codable {
        case active
        case stale
    }

    /// The status.
    public var status: Status
    /// When the last notification arrived (`nil`: none since the observation was made or restored).
    public var lastNotificationAt: Date?
    /// When it was marked stale.
    public var staleSince: Date?
    /// Why it was marked stale.
    public var staleReason: String?

    /// Creates a value.
    public init(status: Status, lastNotificationAt: Date? = nil, staleSince: Date? = nil, staleReason: String? = nil) {
        self.status = status
        self.lastNotificationAt = lastNotificationAt
        self.staleSince = staleSince
        self.staleReason = staleReason
    }
}
