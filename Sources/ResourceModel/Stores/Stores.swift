import LwM2M

/// Every store the server uses, one value per aggregate: what the composition root hands to the REST API.
/// `AppDatabase.stores` gives them all over one SQLite database.
public struct Stores: Sendable {
    /// Endpoints (registrations) and resource types.
    public var endpoints: any EndpointStore
    /// Stored device values.
    public var telemetry: any TelemetryStore
    /// Events and event rules.
    public var events: any EventStore
    /// The operation queue.
    public var operations: any OperationStore
    /// Persisted observations.
    public var observations: any ObservationStore
    /// Observation profiles.
    public var observationProfiles: any ObservationProfileStore
    /// DTLS pre-shared keys.
    public var credentials: any CredentialStore
    /// Uploaded firmware images.
    public var firmware: any FirmwareStore
    /// The REST API's named tokens.
    public var apiTokens: any APITokenStore

    /// Creates a bundle from one store per aggregate.
    public init(
        endpoints: any EndpointStore, telemetry: any TelemetryStore, events: any EventStore,
        operations: any OperationStore, observations: any ObservationStore,
        observationProfiles: any ObservationProfileStore, credentials: any CredentialStore,
        firmware: any FirmwareStore, apiTokens: any APITokenStore
    ) {
        self.endpoints = endpoints
        self.telemetry = telemetry
        self.events = events
        self.operations = operations
        self.observations = observations
        self.observationProfiles = observationProfiles
        self.credentials = credentials
        self.firmware = firmware
        self.apiTokens = apiTokens
    }
}
