import FirmwareOTA
import Foundation
import Logging
import LwM2M
import Prometheus
import RESTBridge
import ResourceModel
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The assembled server: its services in start order, and what a caller needs to reach it.
public struct BuiltServer: Sendable {
    /// The services, in start order; a `ServiceGroup` stops them in reverse: the dispatcher stops claiming and lets
    /// its sends finish while CoAP still runs; then the LwM2M server stops CoAP and ends its event stream, then HTTP,
    /// then the recorder writes whatever events are left.
    public let services: [any Service]
    /// The LwM2M server (CoAP side), started: its ports are bound.
    public let lwm2m: LwM2MServer
    /// The stores (one SQLite database behind all of them).
    public let stores: Stores
    /// Every report the server stores, losslessly (the ingest's internal subscriptions): where a module that must
    /// see every value subscribes. The live stream's hub is the lossy counterpart for HTTP clients.
    public let storedReports: any StoredReportSource
    /// The REST API token, `nil` when authentication is disabled.
    public let apiToken: String?
    /// Whether `apiToken` was generated just now (print it once).
    public let generatedToken: Bool
    /// The firmware images (files and records).
    public let firmwareImages: FirmwareImages
    /// The firmware download links (`/fw/<token>` over CoAP, CoAPS and HTTP).
    public let firmwareDownloads: FirmwareDownloads
    /// Firmware updates and campaigns.
    public let firmwareUpdates: FirmwareOrchestrator
    /// Every REST route as `METHOD /path/{parameter}`.
    public let restRoutes: [String]
    /// The server's DTLS key and certificate, when DTLS is on.
    public let dtlsIdentity: DTLSServerIdentity?
    private let boundHTTPPort: HTTPPortBox
    private let runningGroup = RunningGroup()

    /// The bound CoAP port.
    public var coapPort: UInt16? { lwm2m.boundPort }
    /// The bound DTLS port, when DTLS is on.
    public var coapsPort: UInt16? { lwm2m.boundDTLSPort }

    /// The bound HTTP port, once the REST API listens (waits up to `timeout`).
    public func httpPort(timeout: Duration = .seconds(10)) async -> Int? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let port = boundHTTPPort.port { return port }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return boundHTTPPort.port
    }

    /// Runs every service until one of `gracefulShutdownSignals` arrives (or the task is cancelled), then stops them
    /// in reverse order.
    public func run(gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint], logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: gracefulShutdownSignals,
                logger: logger))
        let pending = runningGroup.state.withLock { box in
            defer { box.group = group }
            return box.shutdownRequested
        }
        if pending { await group.triggerGracefulShutdown() }
        try await group.run()
    }

    /// Asks a running server to stop as SIGTERM would (services stop in reverse order, queued reports are written);
    /// `run` then returns. Asked before `run`, the server stops as soon as it starts.
    public func shutdownGracefully() async {
        let group = runningGroup.state.withLock { box in
            box.shutdownRequested = true
            return box.group
        }
        await group?.triggerGracefulShutdown()
    }

    init(services: [any Service], lwm2m: LwM2MServer, stores: Stores, storedReports: any StoredReportSource,
         apiToken: String?, generatedToken: Bool, firmwareImages: FirmwareImages, firmwareDownloads: FirmwareDownloads,
         firmwareUpdates: FirmwareOrchestrator, restRoutes: [String], dtlsIdentity: DTLSServerIdentity?,
         boundHTTPPort: HTTPPortBox) {
        self.dtlsIdentity = dtlsIdentity
        self.firmwareUpdates = firmwareUpdates
        self.restRoutes = restRoutes
        self.firmwareImages = firmwareImages
        self.firmwareDownloads = firmwareDownloads
        self.services = services
        self.lwm2m = lwm2m
        self.stores = stores
        self.storedReports = storedReports
        self.apiToken = apiToken
        self.generatedToken = generatedToken
        self.boundHTTPPort = boundHTTPPort
    }
}

/// Builds the complete server from `configuration` — store, object model, LwM2M server with its CoAP endpoints
/// (started, so a taken port fails here, naming its flag), telemetry ingest, operation dispatcher, REST API, live
/// stream and metrics — as the services of one `ServiceGroup` (Hummingbird's `buildApplication` pattern). The
/// `lwm2m-server` executable parses flags into a `ServerConfiguration` and calls this; tests call it in process.
///
/// Bootstrapping logging and metrics is the caller's (they are process-wide); `metrics` is rendered at `/metrics`.
public func buildServer(
    _ configuration: ServerConfiguration, logger: Logger, metrics: PrometheusCollectorRegistry? = nil
) async throws -> BuiltServer {
    let database: AppDatabase
    var dataDirectory: URL?
    switch configuration.storage {
    case .directory(let directory):
        database = try AppDatabase.open(directory: directory)
        dataDirectory = directory
    case .inMemory:
        database = try AppDatabase.inMemory()
    }
    // The one place that knows the stores are SQLite: everything below takes them by protocol.
    let stores = database.stores

    var apiToken: String?
    var generated = false
    switch configuration.authentication {
    case .disabled:
        logger.warning("REST authentication is DISABLED (--no-auth): anyone who can reach the HTTP port has full access")
    case .token(let token):
        apiToken = token
    case .environmentOrDataDirectory(let environment):
        guard let dataDirectory else {
            throw ServerStartError("an in-memory server needs an explicit API token or disabled authentication")
        }
        (apiToken, generated) = try APIToken.resolve(environment: environment, dataDirectory: dataDirectory)
    }

    let (objectModel, diagnostics, builtin) = ObjectModelRegistry.loadBuiltin(
        extraDirectories: configuration.objectDefinitionDirectories)
    for diagnostic in diagnostics {
        logger.warning("skipped object definition", metadata: [
            "file": "\(diagnostic.file.path)", "reason": "\(diagnostic.reason)",
        ])
    }
    if builtin == nil {
        logger.warning("built-in object definitions not found; set LWM2M_OBJECT_DEFINITIONS to the ObjectDefinitions directory")
    }
    logger.info("object definitions loaded", metadata: [
        "objects": "\(objectModel.count)", "builtin": "\(builtin?.path ?? "-")",
        "extra": "\(configuration.objectDefinitionDirectories.map(\.path).joined(separator: ","))",
    ])

    // DTLS credentials: served from memory during handshakes, persisted in the database.
    let credentials = DTLSCredentialStore(
        try await stores.credentials.pskCredentials(), pki: try await stores.credentials.pkiCredentials())
    var lwm2mConfiguration = configuration.lwm2m
    var dtlsIdentity: DTLSServerIdentity?
    if lwm2mConfiguration.coapsPort != nil {
        let identity = try DTLSServerIdentity.resolve(
            keyFile: configuration.tls.keyFile, certificateFile: configuration.tls.certificateFile,
            dataDirectory: dataDirectory)
        if let file = configuration.tls.trustedCAFile, !FileManager.default.isReadableFile(atPath: file) {
            throw ServerStartError("--tls-ca \(file): cannot read the file")
        }
        lwm2mConfiguration.serverCredential = identity.serverCredential(
            presents: configuration.tls.presents, trustedCAFile: configuration.tls.trustedCAFile)
        logger.info("DTLS server identity", metadata: [
            "subject": "\(identity.subject)", "presents": "\(configuration.tls.presents.rawValue)",
            "certificate": "\(identity.files?.certificate.path ?? "(in memory)")", "generated": "\(identity.generated)",
            "publicKey": "\(identity.publicKeyBase64)",
            "trustedCAs": "\(configuration.tls.trustedCAFile ?? "none: certificate devices are refused")",
        ])
        dtlsIdentity = identity
    } else if !lwm2mConfiguration.plainCoAP {
        throw ServerStartError("--no-coap needs the DTLS port (--coaps-port is 0)")
    }
    let hub = LiveEventHub.forLiveStream()
    // Notifications and Sends wake queue-mode devices; the dispatcher is made after the server it sends through.
    let activity = ActivityRelay()
    let ingest = TelemetryIngest(store: stores.telemetry, hub: hub, logger: logger)
    let server = LwM2MServer(
        configuration: lwm2mConfiguration,
        logger: logger,
        objectModel: objectModel,
        knownEndpoint: { name in (try? await stores.endpoints.endpoint(named: name)) != nil },
        observationStore: stores.observations,
        profiles: { registration in
            let matches = (try? await stores.observationProfiles.observationProfiles(
                matching: registration.endpoint, objectIDs: registration.objectLinks.map(\.objectID))) ?? []
            return matches.map { ObservationRequest(paths: $0.paths, attributes: $0.attributes) }
        },
        reportSink: { report in
            activity.deviceActive(report.endpoint)
            return ingest.submit(report)
        },
        reportSinkIsFull: { ingest.isFull },
        credentials: credentials)
    try await stores.endpoints.syncResourceTypes(from: objectModel)
    let restored = server.restore(try await stores.endpoints.onlineRegistrations())
    server.restoreObservations(try await stores.observations.loadAll())

    let liveRegistrations = LiveRegistrationFeed(events: server.makeEventStream(), hub: hub)
    let dispatcher = OperationDispatcher(
        store: stores.operations, deviceManagement: server, observations: server,
        registrationEvents: server.makeEventStream(), hub: hub, configuration: configuration.dispatcher,
        logger: logger)
    dispatcher.restore(restored)
    activity.connect(dispatcher)
    let host = configuration.lwm2m.host
    if let error = PortProbe.tcpInUse(host: host, port: configuration.httpPort) {
        throw ServerStartError(
            "--http-port \(configuration.httpPort): TCP port \(configuration.httpPort) on \(host) is already in use (\(error))")
    }
    do {
        try server.start()
    } catch {
        let text = "\(error)"
        let flag = text.contains("(DTLS)")
            ? "--coaps-port \(configuration.lwm2m.coapsPort ?? 0)" : "--coap-port \(configuration.lwm2m.coapPort)"
        throw ServerStartError("\(flag): \(text)")
    }

    // Firmware images live beside the database; an in-memory server keeps them in a temporary directory.
    let firmwareDirectory = (dataDirectory ?? FileManager.default.temporaryDirectory
        .appendingPathComponent("lwm2m-\(UUID().uuidString)")).appendingPathComponent("firmware")
    let firmware = try FirmwareImages(
        directory: firmwareDirectory, store: stores.firmware, maxSize: configuration.maxFirmwareSize, logger: logger)
    let downloads = FirmwareDownloads(logger: logger)
    server.routes.mount("/\(FirmwareDownloads.pathSegment)", handler: downloads.coapHandler())

    let recorder = RegistrationRecorder(store: stores.endpoints, events: server.events, logger: logger)
    let httpPort = HTTPPortBox()

    // Firmware updates: package URIs name the address devices reach, and the ports actually bound.
    let advertised = configuration.advertisedHost
        ?? (["0.0.0.0", "::", ""].contains(host) ? "127.0.0.1" : host)
    let uriHost = advertised.contains(":") && !advertised.hasPrefix("[") ? "[\(advertised)]" : advertised
    let coapPort = server.boundPort
    let coapsPort = server.boundDTLSPort
    let orchestrator = FirmwareOrchestrator(
        stores: stores, images: firmware, downloads: downloads, dispatcher: dispatcher, observations: server,
        hub: hub,
        packageURI: { method, secure, token in
            let path = "/\(FirmwareDownloads.pathSegment)/\(token)"
            switch method {
            case .coapPull:
                if secure { return coapsPort.map { "coaps://\(uriHost):\($0)\(path)" } }
                return coapPort.map { "coap://\(uriHost):\($0)\(path)" }
            case .httpPull:
                // Plain HTTP only: a DTLS device downloads over a secure scheme, and this server has no HTTPS.
                guard !secure, let port = httpPort.port else { return nil }
                return "http://\(uriHost):\(port)\(path)"
            case .push:
                return nil
            }
        },
        configuration: configuration.firmware, logger: logger)
    let firmwareService = FirmwareService(
        orchestrator: orchestrator, operationChanges: dispatcher.changes(),
        reports: ingest.subscribe(capacity: StoredReports.defaultCapacity, paths: FirmwareOrchestrator.reportedPaths),
        registrationEvents: server.makeEventStream(), tickInterval: configuration.firmware.tickInterval,
        logger: logger)
    var restRoutes: [String] = []
    let dashboard = DashboardModule()
    if let directory = dashboard.directory {
        logger.info("dashboard", metadata: ["directory": "\(directory.path)"])
    } else {
        logger.warning("dashboard files not found; set LWM2M_DASHBOARD to the Dashboard directory")
    }
    var rest = RESTConfiguration(
        host: host, port: configuration.httpPort, apiToken: apiToken,
        bulkOperationLimit: configuration.bulkOperationLimit,
        metricsToken: apiToken == nil ? nil : configuration.metricsToken)
    rest.maxBodySize = configuration.maxBodySize
    rest.maxStreamClients = configuration.maxStreamClients
    let app = buildApplication(
        configuration: rest,
        stores: stores, deviceManagement: server, observations: server, liveEvents: hub,
        operations: dispatcher, pskCredentials: credentials, metrics: metrics,
        modules: [dashboard, FirmwareController(images: firmware, downloads: downloads),
                  FirmwareUpdateController(orchestrator: orchestrator)],
        logger: logger,
        onServerRunning: { httpPort.set($0) },
        routes: { restRoutes = $0 })
    return BuiltServer(
        services: [DrainThenWait(recorder), ingest, DrainThenWait(liveRegistrations), app, server, dispatcher,
                   firmwareService],
        lwm2m: server, stores: stores, storedReports: ingest, apiToken: apiToken, generatedToken: generated,
        firmwareImages: firmware, firmwareDownloads: downloads, firmwareUpdates: orchestrator,
        restRoutes: restRoutes, dtlsIdentity: dtlsIdentity, boundHTTPPort: httpPort)
}

/// The service group once `run` made it, and whether a graceful shutdown was asked for.
final class RunningGroup: Sendable {
    let state = Mutex<(group: ServiceGroup?, shutdownRequested: Bool)>((nil, false))
}

/// The HTTP port, known once the REST API listens.
final class HTTPPortBox: Sendable {
    private let value = Mutex<Int?>(nil)
    var port: Int? { value.withLock { $0 } }
    func set(_ port: Int?) { value.withLock { $0 = port } }
}

/// Forwards registration events to the live stream (REGISTRATION, UPDATED, DEREGISTRATION); ends with them.
struct LiveRegistrationFeed: Service {
    let events: AsyncStream<RegistrationEvent>
    let hub: LiveEventHub

    func run() async {
        for await event in events { hub.publish(event) }
        hub.finishAll()
    }
}

/// Runs a service that ends on its own (the recorder ends when the server's event stream does), then waits
/// for its turn in the group's graceful shutdown: ServiceGroup treats a service that returns before it was
/// asked to stop as a failure.
struct DrainThenWait<Inner: Service>: Service {
    let inner: Inner

    init(_ inner: Inner) { self.inner = inner }

    func run() async throws {
        try await inner.run()
        try? await gracefulShutdown()
    }
}

/// Forwards device activity (notifications, Sends) to the operation dispatcher once it exists.
final class ActivityRelay: Sendable {
    private let target = Mutex<OperationDispatcher?>(nil)

    func connect(_ dispatcher: OperationDispatcher) {
        target.withLock { $0 = dispatcher }
    }

    func deviceActive(_ endpoint: String) {
        target.withLock { $0 }?.deviceActive(endpoint)
    }
}
