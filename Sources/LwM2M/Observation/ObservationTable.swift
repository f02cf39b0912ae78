/// The active observations, by token (for notifications) and by endpoint (for REST and re-registration).
public struct ObservationTable: Sendable {
    private var byToken: [[UInt8]: Observation] = [:]
    private var tokensByEndpoint: [String: Set<[UInt8]>] = [:]

    /// Creates an empty table.
    public init() {}

    /// The number of observations.
    public var count: Int { byToken.count }

    /// Adds (or replaces, by token) an observation.
    public mutating func add(_ observation: Observation) {
        byToken[observation.token] = observation
        tokensByEndpoint[observation.endpoint, default: []].insert(observation.token)
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
            tokensByEndpoint[observation.endpoint]?.remove(observation.token)
            if tokensByEndpoint[observation.endpoint]?.isEmpty == true { tokensByEndpoint[observation.endpoint] = nil }
        }
        return removed
    }
}
