import ArgumentParser
import Foundation
import Logging
import LwM2M
import Metrics
import Prometheus
import RESTBridge
import ResourceModel
import ServerApp
import ServiceLifecycle

/// `lwm2m-server`: the LwM2M server with its CoAP registration interface, SQLite store and REST API.
@main
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lwm2m-server",
        abstract: "LwM2M device-management server: CoAP/LwM2M on UDP, REST API on HTTP, SQLite storage.")

    @Option(help: "UDP port for CoAP (LwM2M registration interface).")
    var coapPort: UInt16 = 5683

    @Option(help: "UDP port for CoAP over DTLS with pre-shared keys (0 disables DTLS).")
    var coapsPort: UInt16 = 5684

    @Option(help: "The largest Register or Update payload accepted, in bytes (larger: 4.13).")
    var maxRegisterPayload: Int = 65_536

    @Option(help: "The most object links one Register or Update may announce (more: 4.13).")
    var maxRegisterLinks: Int = 2_048

    @Option(help: "Receive buffer asked for on the CoAP and DTLS sockets, in bytes (0: the kernel's default).")
    var udpReceiveBuffer: Int = 4 << 20

    @Option(help: """
        An observation with a pmax that brings no notification for this many pmax periods is marked stale and \
        re-established at the device's next Register or Update (0: never by silence).
        """)
    var staleAfterPmax: Double = 3

    @Option(help: "TCP port for the REST API.")
    var httpPort: Int = 8080

    @Option(help: "Address to listen on for CoAP and HTTP.")
    var host: String = "0.0.0.0"

    @Option(help: "Directory for the SQLite database and the generated API token.")
    var dataDir: String = "./data"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "libcoap's own log level (its 'trace' logs every packet).")
    var coapLogLevel: Logger.Level = .warning

    @Flag(help: "Disable REST authentication (local development only).")
    var noAuth = false

    @Option(help: "A directory of additional OMA DDF XML object definitions (repeatable).")
    var objectDefinitions: [String] = []

    @Option(help: "Seconds a queue-mode device stays reachable after it last talked to the server.")
    var awakeWindow: Double = 93

    @Option(help: "Seconds a queued operation waits for the device's answer before the attempt counts as failed.")
    var operationTimeout: Int = 30

    @Option(help: "Queued operations in flight per endpoint at most.")
    var maxInFlightPerEndpoint: Int = 1

    @Option(help: "Queued operations in flight over all endpoints at most.")
    var maxInFlight: Int = 256

    @Option(help: "The most endpoints one bulk POST /api/v1/operations may target.")
    var bulkOperationLimit: Int = 10_000

    @Option(help: "Seconds before the first retry of a queued operation; each further retry waits twice as long (±20 %).")
    var retryBaseDelay: Double = 2

    @Option(help: "The longest wait between two attempts of a queued operation, in seconds.")
    var retryMaxDelay: Double = 300

    @Option(help: "Days finished operations and their history are kept (0: forever).")
    var operationRetentionDays: Double = 30

    func validate() throws {
        guard awakeWindow > 0 else { throw ValidationError("--awake-window must be positive") }
        guard operationTimeout >= 1 else { throw ValidationError("--operation-timeout must be at least 1") }
        guard maxInFlightPerEndpoint >= 1, maxInFlight >= 1 else {
            throw ValidationError("--max-in-flight-per-endpoint and --max-in-flight must be at least 1")
        }
        guard bulkOperationLimit >= 1 else { throw ValidationError("--bulk-operation-limit must be at least 1") }
        guard retryBaseDelay > 0, retryMaxDelay >= retryBaseDelay else {
            throw ValidationError("--retry-base-delay must be positive and at most --retry-max-delay")
        }
        guard operationRetentionDays >= 0 else { throw ValidationError("--operation-retention-days must not be negative") }
        guard maxRegisterPayload >= 64 else { throw ValidationError("--max-register-payload must be at least 64") }
        guard udpReceiveBuffer >= 0 else { throw ValidationError("--udp-receive-buffer must not be negative") }
        guard maxRegisterLinks >= 1 else { throw ValidationError("--max-register-links must be at least 1") }
        guard staleAfterPmax >= 0, staleAfterPmax.isFinite else {
            throw ValidationError("--stale-after-pmax must be a number of pmax periods, 0 or more")
        }
    }

    /// The flags as the composition root's configuration.
    var serverConfiguration: ServerConfiguration {
        ServerConfiguration(
            lwm2m: .init(
                host: host, coapPort: coapPort, libcoapLogLevel: coapLogLevel,
                coapsPort: coapsPort == 0 ? nil : coapsPort, maxRegisterPayload: maxRegisterPayload,
                maxRegisterLinks: maxRegisterLinks, udpReceiveBuffer: udpReceiveBuffer > 0 ? udpReceiveBuffer : nil,
                staleAfterPmax: staleAfterPmax),
            httpPort: httpPort,
            storage: .directory(URL(fileURLWithPath: dataDir, isDirectory: true)),
            authentication: noAuth ? .disabled : .environmentOrDataDirectory(environment: ProcessInfo.processInfo.environment),
            objectDefinitionDirectories: objectDefinitions.map { URL(fileURLWithPath: $0, isDirectory: true) },
            dispatcher: .init(
                awakeWindow: awakeWindow, perEndpointLimit: maxInFlightPerEndpoint, globalLimit: maxInFlight,
                requestTimeout: .seconds(operationTimeout),
                retryPolicy: .init(baseDelay: retryBaseDelay, maxDelay: retryMaxDelay),
                retention: operationRetentionDays > 0 ? operationRetentionDays * 86_400 : nil),
            bulkOperationLimit: bulkOperationLimit)
    }

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "lwm2m-server")
        // Metrics: every module records through swift-metrics; /metrics renders this registry.
        let metricsRegistry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metricsRegistry))
        let server: BuiltServer
        do {
            server = try await buildServer(serverConfiguration, logger: logger, metrics: metricsRegistry)
        } catch let error as ServerStartError {
            throw ValidationError(error.description)
        }
        if server.generatedToken, let token = server.apiToken {
            // Written unbuffered: printed once, it must not sit in a buffer until exit.
            let path = URL(fileURLWithPath: dataDir, isDirectory: true).appendingPathComponent(APIToken.fileName).path
            let notice = "Generated REST API token (stored in \(path)):\n  \(token)\nUse it as: Authorization: Bearer <token>\n"
            FileHandle.standardOutput.write(Data(notice.utf8))
        }
        try await server.run(logger: logger)
        logger.info("stopped")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
