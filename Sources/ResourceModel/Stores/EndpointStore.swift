import LwM2M

/// Where registrations end up: one stored endpoint per client name, and the resource types its values are
/// stored with. `AppDatabase` implements it over SQLite; `Tests/ResourceModelTests/Contracts` is its contract.
public protocol EndpointStore: Sendable {
    /// Writes a batch of registration events atomically, in order (LwM2M 1.1 Transport §6.2: Register, Update,
    /// De-register; plus expiry). Completes even when the calling task is cancelled (a shutdown must not lose them).
    ///
    /// - `.registered`, `.updated`: upsert by endpoint name with every field of the registration, online,
    ///   `lastSeen = lastUpdate`. A registration id still held by another (stale) endpoint is released from it.
    /// - `.deregistered`, `.expired`: offline, only if the endpoint still holds that registration id.
    func apply(_ events: [RegistrationEvent]) async throws

    /// The registrations of every online endpoint, sorted by name; endpoints of an unknown version are skipped.
    func onlineRegistrations() async throws -> [Registration]

    /// Endpoints sorted by name, optionally only `online` (or offline) ones or those whose name starts with
    /// `namePrefix` (case-sensitive), paged with `limit` (`nil`: all) and `offset`.
    func endpoints(online: Bool?, namePrefix: String?, limit: Int?, offset: Int) async throws -> [StoredEndpoint]

    /// One page of the endpoints `filter` lets through, sorted by name: those after the name `after` (a keyset
    /// cursor), at most `limit` (`nil`: all), and how many match over all pages. The default implementation
    /// filters `endpoints(online:namePrefix:limit:offset:)` in memory.
    func endpointPage(_ filter: EndpointFilter, after: String?, limit: Int?) async throws -> EndpointPage

    /// The endpoint `name`, or `nil` when that name never registered.
    func endpoint(named name: String) async throws -> StoredEndpoint?

    /// The names of every endpoint `pattern` matches, sorted (the targets of a bulk operation).
    func endpointNames(matching pattern: GlobPattern) async throws -> [String]

    /// Adds or updates one resource type per resource of the newest version of every object in `registry`, in
    /// one transaction. Idempotent: a second run reports everything unchanged. Types the registry no longer has
    /// are kept (their stored values depend on them).
    @discardableResult
    func syncResourceTypes(from registry: ObjectModelRegistry) async throws -> ResourceTypeSyncResult

    /// Every resource type, by object id then resource id.
    func resourceTypes() async throws -> [ResourceType]

    /// Throws when the storage does not answer (the health check).
    func ping() async throws
}

