import ArgumentParser
import CoAP
import Foundation
import Logging

/// The flags of `lwm2m-server`, and the `ServerConfiguration` they stand for. The executable parses them; tests
/// that start the server in process parse the same argument list, so a flag means the same in both.
public struct ServerOptions: ParsableArguments, Sendable {
    public init() {}

    @Option(help: "UDP port for CoAP (LwM2M registration interface).")
    public var coapPort: UInt16 = 5683

    @Option(help: "UDP port for CoAP over DTLS with pre-shared keys, raw public keys and certificates (0 disables DTLS).")
    public var coapsPort: UInt16 = 5684

    @Flag(help: "Do not serve plain CoAP (--coap-port): devices must use DTLS.")
    public var noCoap = false

    @Option(help: """
        The server's DTLS private key (PEM), with --tls-cert; without both, a self-signed P-256 pair is generated \
        into the data directory at first start (dtls-key.pem, dtls-cert.pem).
        """)
    public var tlsKey: String?

    @Option(help: "The server's DTLS certificate (PEM), with --tls-key.")
    public var tlsCert: String?

    @Option(help: "The CAs device certificates must chain to (PEM file); without it, certificate devices are refused.")
    public var tlsCa: String?

    @Option(help: """
        What the server presents in DTLS handshakes: 'certificate' (X.509-only devices such as mbed TLS and \
        OpenSSL clients need it) or 'rpk', its raw public key (raw-public-key-only devices such as tinydtls need it). \
        libcoap 4.3.1 cannot offer both on one port; GnuTLS clients accept either.
        """)
    public var tlsPresent: TLSPresentation = .certificate

    @Option(help: "The largest Register or Update payload accepted, in bytes (larger: 4.13).")
    public var maxRegisterPayload: Int = 65_536

    @Option(help: "The most object links one Register or Update may announce (more: 4.13).")
    public var maxRegisterLinks: Int = 2_048

    @Option(help: "Receive buffer asked for on the CoAP and DTLS sockets, in bytes (0: the kernel's default).")
    public var udpReceiveBuffer: Int = 4 << 20

    @Option(help: """
        An observation with a pmax that brings no notification for this many pmax periods is marked stale and \
        re-established at the device's next Register or Update (0: never by silence).
        """)
    public var staleAfterPmax: Double = 3

    @Option(help: "TCP port for the REST API.")
    public var httpPort: Int = 8080

    @Option(help: "Address to listen on for CoAP and HTTP.")
    public var host: String = "0.0.0.0"

    @Option(help: "Directory for the SQLite database and the generated API token.")
    public var dataDir: String = "./data"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    public var logLevel: Logger.Level = .info

    @Option(help: "Log format on standard error: 'text' (one readable line per entry) or 'json' (one JSON object per line).")
    public var logFormat: LogFormat = .text

    @Option(help: "libcoap's own log level (its 'trace' logs every packet).")
    public var coapLogLevel: Logger.Level = .warning

    @Flag(help: "Disable REST authentication (local development only).")
    public var noAuth = false

    @Option(help: "The largest CoAP request body in bytes, whole or reassembled from blocks (larger: 4.13 with Size1).")
    public var maxCoapPayload: Int = 1 << 20

    @Option(help: "The largest REST request body in bytes (larger: 413); the firmware upload has --max-firmware-size.")
    public var maxBodySize: Int = 1 << 20

    @Option(help: "The most live-stream clients at once, SSE and WebSocket together (one more: 503, or close code 4503).")
    public var maxStreamClients: Int = 256

    @Option(help: "The most observations one endpoint may have; one more is refused (409 limit-exceeded) before it is sent.")
    public var maxObservationsPerEndpoint: Int = 256

    @Option(help: "The most open (queued or sending) operations one endpoint may have when another is queued (more: 409).")
    public var maxQueuedOperationsPerEndpoint: Int = 1_000

    @Option(help: "The most registered endpoints; a Register of a new endpoint name beyond it gets 5.03.")
    public var maxEndpoints: Int = 100_000

    @Option(help: "Registers per second one source address may make on average (bursts of 10 s worth); beyond: 4.29. 0: no limit.")
    public var registerRate: Double = 100

    @Flag(help: "Refuse (4.03) an Update or De-register of a NoSec registration from another address than the one it was made or last updated from.")
    public var nosecAddressCheck = false

    @Option(help: ArgumentHelp(
        "A token that opens GET /metrics only, for a Prometheus scraper (else LWM2M_METRICS_TOKEN; reader and higher tokens work too).",
        valueName: "token"))
    public var metricsToken: String?

    @Option(help: "A directory of additional OMA DDF XML object definitions (repeatable).")
    public var objectDefinitions: [String] = []

    @Option(help: "Seconds a queue-mode device stays reachable after it last talked to the server.")
    public var awakeWindow: Double = 93

    @Option(help: "Seconds a queued operation waits for the device's answer before the attempt counts as failed.")
    public var operationTimeout: Int = 30

    @Option(help: "Queued operations in flight per endpoint at most.")
    public var maxInFlightPerEndpoint: Int = 1

    @Option(help: "Queued operations in flight over all endpoints at most.")
    public var maxInFlight: Int = 256

    @Option(help: "The most endpoints one bulk POST /api/v1/operations may target.")
    public var bulkOperationLimit: Int = 10_000

    @Option(help: "Seconds before the first retry of a queued operation; each further retry waits twice as long (±20 %).")
    public var retryBaseDelay: Double = 2

    @Option(help: "The longest wait between two attempts of a queued operation, in seconds.")
    public var retryMaxDelay: Double = 300

    @Option(help: "Days finished operations and their history are kept (0: forever).")
    public var operationRetentionDays: Double = 30

    @Option(help: "The largest firmware image POST /api/v1/firmware accepts, in bytes (default 256 MiB).")
    public var maxFirmwareSize: Int64 = 256 << 20

    @Option(help: "The host name or address devices reach this server at, in the firmware package URIs written to /5/0/1 (default: --host, or 127.0.0.1 when --host is a wildcard address).")
    public var advertisedHost: String?

    @Option(help: "Seconds a firmware delivery may take, from the package URI write until the device reports Downloaded.")
    public var firmwareDeliveryTimeout: Double = 600

    @Option(help: "Seconds a device may take to install firmware and come back, once it accepted Update /5/0/2.")
    public var firmwareInstallTimeout: Double = 600

    @Option(help: "Seconds a firmware update waits for a notification of /5/0/3 or /5/0/5 before it reads them instead.")
    public var firmwareReadAfter: Double = 60

    @Option(help: "Deliveries per firmware update at most (the first and the retries after a lost connection).")
    public var firmwareMaxAttempts: Int = 3

    @Option(help: "Milliseconds to pause between two blocks of a firmware push to /5/0/0 (0: none), for devices that need time to store each block.")
    public var firmwareBlockDelayMs: Int = 0

    @Option(help: "The Block1 size a firmware push starts with: 16, 32, 64, 128, 256, 512 or 1024 bytes (a device may ask for smaller blocks).")
    public var firmwareBlockSize: Int = 1024

    public func validate() throws {
        guard firmwareDeliveryTimeout > 0, firmwareInstallTimeout > 0, firmwareReadAfter > 0 else {
            throw ValidationError("--firmware-delivery-timeout, --firmware-install-timeout and --firmware-read-after must be positive")
        }
        guard (1...10).contains(firmwareMaxAttempts) else { throw ValidationError("--firmware-max-attempts must be 1 to 10") }
        guard (0...60_000).contains(firmwareBlockDelayMs) else {
            throw ValidationError("--firmware-block-delay-ms must be 0 to 60000")
        }
        guard [16, 32, 64, 128, 256, 512, 1024].contains(firmwareBlockSize) else {
            throw ValidationError("--firmware-block-size must be 16, 32, 64, 128, 256, 512 or 1024")
        }
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
        guard maxCoapPayload >= 1024 else { throw ValidationError("--max-coap-payload must be at least 1024") }
        guard maxEndpoints >= 1 else { throw ValidationError("--max-endpoints must be at least 1") }
        guard maxObservationsPerEndpoint >= 1 else { throw ValidationError("--max-observations-per-endpoint must be at least 1") }
        guard maxQueuedOperationsPerEndpoint >= 1 else {
            throw ValidationError("--max-queued-operations-per-endpoint must be at least 1")
        }
        guard maxBodySize >= 1024 else { throw ValidationError("--max-body-size must be at least 1024") }
        guard maxStreamClients >= 1 else { throw ValidationError("--max-stream-clients must be at least 1") }
        guard registerRate >= 0, registerRate.isFinite else { throw ValidationError("--register-rate must be 0 or positive") }
        guard udpReceiveBuffer >= 0 else { throw ValidationError("--udp-receive-buffer must not be negative") }
        guard maxFirmwareSize >= 1 else { throw ValidationError("--max-firmware-size must be at least 1 byte") }
        guard maxRegisterLinks >= 1 else { throw ValidationError("--max-register-links must be at least 1") }
        guard staleAfterPmax >= 0, staleAfterPmax.isFinite else {
            throw ValidationError("--stale-after-pmax must be a number of pmax periods, 0 or more")
        }
    }

    /// The flags as the composition root's configuration.
    public var serverConfiguration: ServerConfiguration {
        var configuration = baseConfiguration
        configuration.lwm2m.maxObservationsPerEndpoint = maxObservationsPerEndpoint
        return configuration
    }

    private var baseConfiguration: ServerConfiguration {
        ServerConfiguration(
            lwm2m: .init(
                host: host, coapPort: coapPort, libcoapLogLevel: coapLogLevel,
                coapsPort: coapsPort == 0 ? nil : coapsPort, maxRegisterPayload: maxRegisterPayload,
                maxRegisterLinks: maxRegisterLinks, udpReceiveBuffer: udpReceiveBuffer > 0 ? udpReceiveBuffer : nil,
                staleAfterPmax: staleAfterPmax, nosecAddressCheck: nosecAddressCheck, maxCoAPPayload: maxCoapPayload,
                maxEndpoints: maxEndpoints, registerRate: registerRate, plainCoAP: !noCoap),
            tls: .init(
                keyFile: tlsKey.map { URL(fileURLWithPath: $0) }, certificateFile: tlsCert.map { URL(fileURLWithPath: $0) },
                trustedCAFile: tlsCa, presents: tlsPresent.presentation),
            httpPort: httpPort,
            storage: .directory(URL(fileURLWithPath: dataDir, isDirectory: true)),
            authentication: noAuth ? .disabled : .environmentOrDataDirectory(environment: ProcessInfo.processInfo.environment),
            objectDefinitionDirectories: objectDefinitions.map { URL(fileURLWithPath: $0, isDirectory: true) },
            dispatcher: .init(
                awakeWindow: awakeWindow, perEndpointLimit: maxInFlightPerEndpoint, globalLimit: maxInFlight,
                requestTimeout: .seconds(operationTimeout),
                retryPolicy: .init(baseDelay: retryBaseDelay, maxDelay: retryMaxDelay),
                retention: operationRetentionDays > 0 ? operationRetentionDays * 86_400 : nil,
                blockDelay: .milliseconds(firmwareBlockDelayMs), maxOpenPerEndpoint: maxQueuedOperationsPerEndpoint),
            bulkOperationLimit: bulkOperationLimit, maxFirmwareSize: maxFirmwareSize,
            firmware: .init(
                timeouts: .init(delivering: firmwareDeliveryTimeout, updating: firmwareInstallTimeout,
                                fallbackReadAfter: firmwareReadAfter),
                maxAttempts: firmwareMaxAttempts, pushBlockSize: firmwareBlockSize),
            advertisedHost: advertisedHost,
            maxBodySize: maxBodySize, maxStreamClients: maxStreamClients,
            metricsToken: (metricsToken ?? ProcessInfo.processInfo.environment["LWM2M_METRICS_TOKEN"])
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 })
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// `--tls-present certificate|rpk`.
public enum TLSPresentation: String, ExpressibleByArgument, Sendable, CaseIterable {
    /// The server's X.509 certificate.
    case certificate
    /// The server's raw public key (RFC 7250).
    case rpk

    /// As the CoAP layer names it.
    var presentation: CoAPEndpoint.PKI.Presentation { self == .rpk ? .rawPublicKey : .certificate }
}

/// `--log-format text|json`.
public enum LogFormat: String, ExpressibleByArgument, Sendable, CaseIterable {
    case text, json
}
