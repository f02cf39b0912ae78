import Hummingbird
import Logging
import LwM2M
import ResourceModel

/// Builds the REST API server: the router of `buildRouter` served on `configuration.host`:`configuration.port`.
///
/// `deviceManagement` carries the device-management routes (the LwM2M server in production) and provides the
/// object model. Run it as a service (`try await app.runService()` or inside a `ServiceGroup`); tests call
/// `app.test(.router)`.
public func buildApplication(
    configuration: RESTConfiguration, database: AppDatabase, deviceManagement: any DeviceManagement, logger: Logger
) -> some ApplicationProtocol {
    let router = buildRouter(configuration: configuration, database: database, deviceManagement: deviceManagement)
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "lwm2m-server"),
        logger: logger)
}

/// Builds the API's router: problem+json errors everywhere, `/healthz` open, every other path behind the
/// bearer token when `configuration.apiToken` is set (unknown paths too, so they reveal nothing).
public func buildRouter(
    configuration: RESTConfiguration, database: AppDatabase, deviceManagement: any DeviceManagement
) -> Router<APIRequestContext> {
    buildRouter(configuration: configuration, repository: database, deviceManagement: deviceManagement)
}

/// `buildRouter` over any repository (tests inject fakes).
func buildRouter(
    configuration: RESTConfiguration, repository: any EndpointRepository, deviceManagement: any DeviceManagement
) -> Router<APIRequestContext> {
    let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
    // Middleware applies to the routes added after it, and all of it to the not-found responder.
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: LogRequestsMiddleware(.debug))
    HealthController(repository: repository).addRoutes(to: router)
    if let token = configuration.apiToken {
        router.add(middleware: BearerAuthMiddleware(token: token))
    }
    EndpointController(repository: repository).addRoutes(to: router)
    ResourceController(deviceManagement: deviceManagement, repository: repository).addRoutes(to: router)
    CompositeController(deviceManagement: deviceManagement).addRoutes(to: router)
    ObjectController(deviceManagement: deviceManagement).addRoutes(to: router)
    return router
}
