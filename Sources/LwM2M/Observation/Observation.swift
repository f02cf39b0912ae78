import Foundation

/// An active observation of one path, or a composite observation of several (LwM2M 1.1 Core §6.4.1/§6.4.3).
public struct Observation: Sendable, Equatable, Codable {
    /// A server-chosen id, stable across restarts.
    public var id: String
    /// The endpoint client name.
    public var endpoint: String
    /// The registration the observation was made under; a new registration without it means the client forgot it.
    public var registrationID: String
    /// The observed paths (one unless `composite`).
    public var paths: [LwM2MPath]
    /// Whether it is a composite observation (FETCH with Observe, LwM2M 1.1).
    public var composite: Bool
    /// The CoAP token notifications carry (RFC 7641 §3.2).
    public var token: [UInt8]
    /// The content format asked for (notifications may use another; their Content-Format wins).
    public var format: ContentFormat
    /// Attributes written before observing, if any.
    public var attributes: NotificationAttributes?
    /// When it was established.
    public var createdAt: Date

    /// Creates an observation.
    public init(id: String, endpoint: String, registrationID: String, paths: [LwM2MPath], composite: Bool,
                token: [UInt8], format: ContentFormat, attributes: NotificationAttributes?, createdAt: Date) {
        self.id = id; self.endpoint = endpoint; self.registrationID = registrationID; self.paths = paths
        self.composite = composite; self.token = token; self.format = format; self.attributes = attributes
        self.createdAt = createdAt
    }
}


/// Persists observations so notifications arriving after a restart are still accepted; ResourceModel implements it.
public protocol ObservationStore: Sendable {
    /// Stores (or replaces, by id) an observation.
    func save(_ observation: Observation) async throws
    /// Removes observations by id.
    func remove(ids: [String]) async throws
    /// Every stored observation.
    func loadAll() async throws -> [Observation]
}

/// Observation operations for the REST API; the LwM2M server implements it.
public protocol ObservationManagement: Sendable {
    /// Observes `paths` of `endpoint` (one observation per path, or one composite observation when
    /// `composite`), writing `attributes` to each path first when given.
    func observe(endpoint: String, paths: [LwM2MPath], composite: Bool, attributes: NotificationAttributes?,
                 format: ContentFormat?, timeout: Duration) async throws(DeviceRequestError) -> [Observation]
    /// Cancels the observations of `endpoint` on exactly these paths (all of them when `paths` is empty);
    /// returns the cancelled ones.
    func cancelObservations(endpoint: String, paths: [LwM2MPath], timeout: Duration)
        async throws(DeviceRequestError) -> [Observation]
    /// The active observations of `endpoint`.
    func observations(endpoint: String) async -> [Observation]
    /// The health of the observations of `endpoint`, by observation id (missing ids count as active).
    func observationHealth(endpoint: String) async -> [String: ObservationHealth]
}

extension ObservationManagement {
    /// Every observation counts as active unless an implementation tracks health.
    public func observationHealth(endpoint: String) async -> [String: ObservationHealth] { [:] }
}
