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

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let level = options.logLevel
        let format = options.logFormat
        LoggingSystem.bootstrap { label in
            // What devices and clients send reaches the log escaped (no forged lines, no raw control bytes); JSON
            // escapes it by itself.
            if format == .json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = EscapingLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "lwm2m-server")
        // Metrics: every module records through swift-metrics; /metrics renders this registry.
        let metricsRegistry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metricsRegistry))
        let server: BuiltServer
        do {
            server = try await buildServer(options.serverConfiguration, logger: logger, metrics: metricsRegistry)
        } catch let error as ServerStartError {
            throw ValidationError(error.description)
        }
        let httpPort = options.httpPort
        let dashboardHost = ["0.0.0.0", "::", ""].contains(options.host) ? "localhost" : options.host
        let tokenPath = URL(fileURLWithPath: options.dataDir, isDirectory: true).appendingPathComponent(APIToken.fileName).path
        let signIn: String
        if server.apiToken == nil {
            signIn = "no sign-in (--no-auth)"
        } else if ProcessInfo.processInfo.environment["LWM2M_API_TOKEN"] != nil {
            signIn = "sign in with the token in LWM2M_API_TOKEN"
        } else {
            signIn = "sign in with the token in \(tokenPath)"
        }
        FileHandle.standardOutput.write(Data("Dashboard: http://\(dashboardHost):\(httpPort)/ (\(signIn))\n".utf8))
        if server.generatedToken, let token = server.apiToken {
            // Written unbuffered: printed once, it must not sit in a buffer until exit.
            let path = URL(fileURLWithPath: options.dataDir, isDirectory: true).appendingPathComponent(APIToken.fileName).path
            let notice = "Generated REST API token (stored in \(path)):\n  \(token)\nUse it as: Authorization: Bearer <token>\n"
                + "Dashboard, signed in: http://\(dashboardHost):\(httpPort)/#token=\(token)\n"
            FileHandle.standardOutput.write(Data(notice.utf8))
        }
        if let identity = server.dtlsIdentity {
            // Public: printed at every start, for provisioning raw-public-key devices (Security object /0/x/4).
            let source = identity.files.map { "\($0.certificate.path)\(identity.generated ? ", generated now" : "")" }
                ?? "in memory"
            let notice = """
                DTLS server certificate: \(source)
                DTLS server public key (base64 DER SubjectPublicKeyInfo, for raw-public-key devices):
                  \(identity.publicKeyBase64)

                """
            FileHandle.standardOutput.write(Data(notice.utf8))
        }
        try await server.run(logger: logger)
        logger.info("stopped")
    }
}

