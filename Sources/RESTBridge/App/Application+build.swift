import Hummingbird
import HummingbirdWebSocket
import Logging
import LwM2M
import Prometheus
import ResourceModel

/// Builds the REST API server: the router of `buildRouter` served on `configuration.host`:`configuration.port`,
/// with WebSocket upgrades for `/api/v1/ws`.
///
/// `stores` is where endpoints, telemetry, events, profiles, operations and credentials are kept (`AppDatabase.stores`
/// in production). `deviceManagement` carries the device-management routes (the LwM2M server in production) and provides the
/// object model; `observations` carries the observation routes (the LwM2M server; `nil` answers 503);
/// `liveEvents` feeds `/api/v1/stream` and `/api/v1/ws` (`nil` answers 503); `operations` carries the operation
/// queue and answers synchronous requests for sleeping queue-mode devices with 202 (`nil`: 503); `metrics` is rendered at
/// `/metrics` (`nil`: 503); `pskCredentials`
/// is the in-memory copy of the DTLS keys the security routes keep in step with the database (`nil`: 503). Run it as
/// a service (`try await app.runService()` or inside a `ServiceGroup`); tests call `app.test(.router)`.
/// `onServerRunning` is told the bound port once HTTP listens (port 0 picks a free one); `routes` is told every
/// route as `METHOD /path/{parameter}` (for the role table test and route listings).
public func buildApplication(
    configuration: RESTConfiguration, stores: Stores, deviceManagement: any DeviceManagement,
    observations: (any ObservationManagement)? = nil, liveEvents: LiveEventHub? = nil,
    operations: OperationDispatcher? = nil, pskCredentials: DTLSCredentialStore? = nil,
    metrics: PrometheusCollectorRegistry? = nil, modules: [any APIModule] = [], logger: Logger,
    onServerRunning: @escaping @Sendable (_ port: Int?) async -> Void = { _ in },
    routes: ((_ routes: [String]) -> Void)? = nil
) -> some ApplicationProtocol {
    let router = buildRouter(
        configuration: configuration, stores: stores, deviceManagement: deviceManagement,
        observations: observations, liveEvents: liveEvents, operations: operations, pskCredentials: pskCredentials,
        metrics: metrics, modules: modules)
    routes?(router.routes.map(\.description))
    // The upgrade router sees only upgrade requests; it checks the same tokens and roles, and closes a refused
    // connection with 4401/4403 (`WebSocketAuthMiddleware`). Plain GETs of the path reach `router` (426).
    let webSocketRouter = Router(context: APIWebSocketRequestContext.self)
    webSocketRouter.add(middleware: WebSocketAuthMiddleware(authenticator: APITokenAuthenticator(
        adminToken: configuration.apiToken, metricsToken: configuration.metricsToken, store: stores.apiTokens)))
    LiveStreamController(hub: liveEvents, keepAlive: configuration.streamKeepAlive, maxClients: configuration.maxStreamClients)
        .addWebSocketRoute(to: webSocketRouter)
    return Application(
        router: UnknownMethodRouter(router: router),
        server: .http1WebSocketUpgrade(webSocketRouter: webSocketRouter),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "lwm2m-server"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port) },
        logger: logger)
}

/// Builds the API's router: problem+json errors everywhere, `/healthz` and modules' open routes first, every
/// other path (unknown ones too, so they reveal nothing) behind a bearer token whose role allows the call
/// (`APITokenAuthenticator`, `APIAccess`; with `configuration.apiToken` `nil` everyone is an admin).
public func buildRouter(
    configuration: RESTConfiguration, stores: Stores, deviceManagement: any DeviceManagement,
    observations: (any ObservationManagement)? = nil, liveEvents: LiveEventHub? = nil,
    operations: OperationDispatcher? = nil, pskCredentials: DTLSCredentialStore? = nil,
    metrics: PrometheusCollectorRegistry? = nil, modules: [any APIModule] = []
) -> Router<APIRequestContext> {
    buildRouter(
        configuration: configuration, repository: stores.endpoints, deviceManagement: deviceManagement, stores: stores,
        observations: observations, liveEvents: liveEvents, operations: operations, pskCredentials: pskCredentials,
        metrics: metrics, modules: modules)
}

/// `buildRouter` over any endpoint store (tests inject fakes, e.g. a failing one); the telemetry, event, profile,
/// operation and security routes need `stores` and are left out without it.
func buildRouter(
    configuration: RESTConfiguration, repository: any EndpointStore, deviceManagement: any DeviceManagement,
    stores: Stores? = nil, observations: (any ObservationManagement)? = nil, liveEvents: LiveEventHub? = nil,
    operations: OperationDispatcher? = nil, pskCredentials: DTLSCredentialStore? = nil,
    metrics: PrometheusCollectorRegistry? = nil, modules: [any APIModule] = []
) -> Router<APIRequestContext> {
    let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
    // Middleware applies to the routes added after it, and all of it to the not-found responder.
    router.add(middleware: ProblemMiddleware())
    // Request metrics (`hb_requests_total`, `hb_request_duration_seconds`, `hb_request_errors_total`) through
    // swift-metrics, and an access line per request at info.
    router.add(middleware: RequestMetricsMiddleware())
    HealthController(repository: repository).addRoutes(to: router)
    for module in modules { module.addOpenRoutes(to: router) }
    // Every route after this point needs a token whose role allows the call (`APIAccess`).
    router.add(middleware: APITokenAuthenticator(
        adminToken: configuration.apiToken, metricsToken: configuration.metricsToken, store: stores?.apiTokens))
    router.add(middleware: APIAccess.middleware(context: APIRequestContext.self))
    // Every route behind the token refuses the query parameters it does not take (`QueryParameterTable`, the
    // OpenAPI document's); after the token check, so a caller without one learns nothing about a route.
    router.add(middleware: QueryParameterMiddleware())
    router.add(middleware: BodyLimitMiddleware(
        maxBytes: configuration.maxBodySize, streamingUploads: Set(modules.flatMap(\.streamingUploads))))
    EndpointController(repository: repository, dispatcher: operations).addRoutes(to: router)
    MetricsController(registry: metrics).addRoutes(to: router)
    ResourceController(deviceManagement: deviceManagement, dispatcher: operations, repository: repository)
        .addRoutes(to: router)
    CompositeController(deviceManagement: deviceManagement, dispatcher: operations).addRoutes(to: router)
    ObjectController(deviceManagement: deviceManagement).addRoutes(to: router)
    ObservationController(observations: observations, dispatcher: operations).addRoutes(to: router)
    LiveStreamController(hub: liveEvents, keepAlive: configuration.streamKeepAlive, maxClients: configuration.maxStreamClients)
        .addRoutes(to: router)
    if let stores {
        TelemetryController(store: stores.telemetry).addRoutes(to: router)
        EventController(store: stores.events).addRoutes(to: router)
        ObservationProfileController(store: stores.observationProfiles).addRoutes(to: router)
        OperationController(
            dispatcher: operations, endpointStore: stores.endpoints, operationStore: stores.operations,
            model: deviceManagement.objectModel, bulkLimit: configuration.bulkOperationLimit
        ).addRoutes(to: router)
        SecurityController(credentials: stores.credentials, store: pskCredentials).addRoutes(to: router)
        APITokenController(store: stores.apiTokens).addRoutes(to: router)
    }
    for module in modules { module.addRoutes(to: router) }
    return router
}
