import CoAP
import FirmwareOTA
import Foundation
import LwM2M
import ResourceModel

/// Everything `buildServer` needs to assemble the whole server: what the `lwm2m-server` flags set, as a value, so
/// a test or another program builds the same server without a process.
public struct ServerConfiguration: Sendable {
    /// Where the data lives.
    public enum Storage: Sendable {
        /// The SQLite file (and a generated API token) in this directory, created when missing.
        case directory(URL)
        /// An SQLite database in memory: gone when the server stops (tests).
        case inMemory
    }

    /// How the REST API checks requests.
    public enum Authentication: Sendable {
        /// `Authorization: Bearer` with this token.
        case token(String)
        /// The token from `LWM2M_API_TOKEN` in `environment`, else the one stored in the data directory, else a new
        /// one generated there (`BuiltServer.generatedToken` then says so, for printing once).
        case environmentOrDataDirectory(environment: [String: String])
        /// No checking (local development only; a warning is logged).
        case disabled
    }

    /// The server's own DTLS key and certificate and the CAs it trusts (`--tls-key`, `--tls-cert`, `--tls-ca`,
    /// `--tls-present`): with the DTLS port on, devices may also use raw public keys and certificates.
    public struct TLS: Sendable {
        /// The private key (PEM); with `certificateFile`, or neither for the pair in the data directory.
        public var keyFile: URL?
        /// The certificate (PEM).
        public var certificateFile: URL?
        /// The CAs device certificates must chain to (PEM); `nil`: no certificate device is accepted.
        public var trustedCAFile: String?
        /// What the server presents in handshakes: its certificate, or its raw public key (see `CoAPEndpoint.PKI`).
        public var presents: CoAPEndpoint.PKI.Presentation

        /// Creates a TLS set-up.
        public init(
            keyFile: URL? = nil, certificateFile: URL? = nil, trustedCAFile: String? = nil,
            presents: CoAPEndpoint.PKI.Presentation = .certificate
        ) {
            self.keyFile = keyFile
            self.certificateFile = certificateFile
            self.trustedCAFile = trustedCAFile
            self.presents = presents
        }
    }

    /// The DTLS key, certificate and trusted CAs.
    public var tls: TLS = TLS()
    /// The CoAP side: listening address, CoAP and DTLS ports (0 picks a free one), limits, observation timing.
    public var lwm2m: LwM2MServer.Configuration
    /// The HTTP port of the REST API (0 picks a free one; `BuiltServer.httpPort` tells which).
    public var httpPort: Int
    /// Where the data lives.
    public var storage: Storage
    /// How REST requests are authenticated.
    public var authentication: Authentication
    /// A token that opens `GET /metrics` only (`--metrics-token`, or `LWM2M_METRICS_TOKEN`), when given.
    public var metricsToken: String?
    /// The largest REST request body in bytes (`--max-body-size`).
    public var maxBodySize: Int
    /// The most live-stream clients at once (`--max-stream-clients`).
    public var maxStreamClients: Int
    /// Directories of additional OMA DDF XML object definitions.
    public var objectDefinitionDirectories: [URL]
    /// The operation queue (awake window, limits, retries, retention).
    public var dispatcher: OperationDispatcherConfiguration
    /// The most endpoints one bulk `POST /api/v1/operations` may target.
    public var bulkOperationLimit: Int
    /// The largest firmware image accepted, in bytes (`--max-firmware-size`).
    public var maxFirmwareSize: Int64
    /// Firmware updates: timeouts, attempts, tick.
    public var firmware: FirmwareOrchestratorConfiguration
    /// The host devices reach the server at, for package URIs; `nil`: the listening host, or 127.0.0.1 when it is
    /// a wildcard.
    public var advertisedHost: String?

    /// Creates a configuration; the defaults are the `lwm2m-server` flags' defaults.
    public init(
        lwm2m: LwM2MServer.Configuration = .init(coapsPort: 5684), tls: TLS = TLS(), httpPort: Int = 8080,
        storage: Storage = .directory(URL(fileURLWithPath: "./data", isDirectory: true)),
        authentication: Authentication = .environmentOrDataDirectory(environment: ProcessInfo.processInfo.environment),
        objectDefinitionDirectories: [URL] = [], dispatcher: OperationDispatcherConfiguration = .init(),
        bulkOperationLimit: Int = 10_000, maxFirmwareSize: Int64 = FirmwareImages.defaultMaxSize,
        firmware: FirmwareOrchestratorConfiguration = .init(), advertisedHost: String? = nil,
        maxBodySize: Int = 1 << 20, maxStreamClients: Int = 256, metricsToken: String? = nil
    ) {
        self.maxBodySize = maxBodySize
        self.maxStreamClients = maxStreamClients
        self.metricsToken = metricsToken
        self.firmware = firmware
        self.advertisedHost = advertisedHost
        self.lwm2m = lwm2m
        self.tls = tls
        self.httpPort = httpPort
        self.storage = storage
        self.authentication = authentication
        self.objectDefinitionDirectories = objectDefinitionDirectories
        self.dispatcher = dispatcher
        self.bulkOperationLimit = bulkOperationLimit
        self.maxFirmwareSize = maxFirmwareSize
    }
}

/// Why the server cannot be built or started, naming the setting to change.
public struct ServerStartError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, with the flag (`--http-port 8080: ...`).
    public let description: String

    init(_ description: String) { self.description = description }
}
