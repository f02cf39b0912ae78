import CoAP
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// The LwM2M server's device-facing side: a CoAP endpoint with the registration interface
/// (LwM2M 1.1 Core §6.2, Transport §6.2) and the live registration table.
///
/// Registration events are published in order on `events` for persistence and other consumers. As a
/// `Service`, it sweeps expired lifetimes until graceful shutdown, then stops the CoAP endpoint and
/// finishes `events` so that consumers can drain.
public final class LwM2MServer: Service, Sendable {
    /// How the server is set up.
    public struct Configuration: Sendable {
        /// Address to listen on.
        public var host: String
        /// UDP port for CoAP (0 picks a free one).
        public var coapPort: UInt16
        /// How often lifetimes are checked.
        public var sweepInterval: Duration
        /// libcoap's own log level.
        public var libcoapLogLevel: Logger.Level
        /// The UDP port for CoAP over DTLS with pre-shared keys (`nil`: no DTLS; 0 picks a free one).
        public var coapsPort: UInt16?
        /// How long establishing one observation after a registration waits for the device: long enough for
        /// libcoap's retransmissions (MAX_TRANSMIT_WAIT, 93 s, RFC 7252 §4.8.2), so a device that misses the first
        /// datagram or answers late under load is still observed. A shorter wait gives up while libcoap is still
        /// retransmitting, and the late answer is then refused.
        public var observationSetupTimeout: Duration
        /// The waits before retrying an observation that timed out or could not be delivered after a registration
        /// (a device busy right after registering, a lost datagram); one retry per element. Device errors are not
        /// retried, and retries stop when the registration is replaced or ends.
        public var observationSetupRetries: [Duration]
        /// The largest Register or Update payload accepted, in bytes (larger: 4.13 Request Entity Too Large).
        public var maxRegisterPayload: Int
        /// The most object links one Register or Update may announce (more: 4.13).
        public var maxRegisterLinks: Int
        /// The receive buffer asked for on the CoAP and DTLS sockets, in bytes (`nil`: the kernel's default).
        public var udpReceiveBuffer: Int?
        /// An observation with a `pmax` that brings no notification for this many `pmax` periods is marked stale
        /// and re-established at the client's next Register or Update (0: never by silence).
        public var staleAfterPmax: Double
        /// Whether an Update or De-register of a NoSec (plain CoAP) registration must come from the address the
        /// registration was made or last updated from (`--nosec-address-check`); else 4.03. Off by default: a
        /// device behind NAT whose port changed sends its Update from a new address, which is what Update is for.
        public var nosecAddressCheck: Bool
        /// The largest CoAP request body in bytes (`--max-coap-payload`; larger: 4.13 with Size1).
        public var maxCoAPPayload: Int
        /// The most registered endpoints (`--max-endpoints`): a Register of a new name beyond it is 5.03.
        public var maxEndpoints: Int
        /// Registers one source address (IP, any port) may make per second, on average (`--register-rate`), and
        /// in a burst (10 s worth); beyond: 4.29 Too Many Requests (RFC 8516) with Max-Age. 0: no limit.
        public var registerRate: Double
        /// The server's own certificate and key, with which the DTLS port also takes devices with certificates and
        /// raw public keys beside PSK; `nil`: PSK only.
        public var serverCredential: ServerCredential?
        /// Whether plain CoAP is served on `coapPort` (`--no-coap` turns it off: DTLS only).
        public var plainCoAP: Bool
        /// The most observations one endpoint may have (`--max-observations-per-endpoint`): one more is refused
        /// (`DeviceRequestError.limitExceeded`) before anything is sent.
        public var maxObservationsPerEndpoint: Int = 256

        /// Creates a configuration.
        public init(
            host: String = "0.0.0.0", coapPort: UInt16 = 5683, sweepInterval: Duration = .seconds(1),
            libcoapLogLevel: Logger.Level = .warning, observationSetupTimeout: Duration = .seconds(93),
            observationSetupRetries: [Duration] = [.seconds(5), .seconds(15), .seconds(45)], coapsPort: UInt16? = nil,
            maxRegisterPayload: Int = 65_536, maxRegisterLinks: Int = 2_048, udpReceiveBuffer: Int? = 4 << 20,
            staleAfterPmax: Double = 3, nosecAddressCheck: Bool = false, maxCoAPPayload: Int = 1 << 20,
            maxEndpoints: Int = 100_000, registerRate: Double = 100, plainCoAP: Bool = true
        ) {
            self.plainCoAP = plainCoAP
            self.maxCoAPPayload = maxCoAPPayload
            self.maxEndpoints = maxEndpoints
            self.registerRate = registerRate
            self.nosecAddressCheck = nosecAddressCheck
            self.staleAfterPmax = staleAfterPmax
            self.udpReceiveBuffer = udpReceiveBuffer
            self.maxRegisterPayload = maxRegisterPayload
            self.maxRegisterLinks = maxRegisterLinks
            self.coapsPort = coapsPort
            self.observationSetupTimeout = observationSetupTimeout
            self.observationSetupRetries = observationSetupRetries
            self.host = host
            self.coapPort = coapPort
            self.sweepInterval = sweepInterval
            self.libcoapLogLevel = libcoapLogLevel
        }
    }

    /// The server's certificate and key for DTLS with certificates and raw public keys (`--tls-cert`, `--tls-key`,
    /// `--tls-ca`).
    public struct ServerCredential: Sendable {
        /// The certificate (PEM).
        public var certificatePEM: [UInt8]
        /// Its public key as a SubjectPublicKeyInfo (PEM `PUBLIC KEY`), presented to raw-public-key devices.
        public var publicKeyPEM: [UInt8]
        /// The private key (PEM).
        public var privateKeyPEM: [UInt8]
        /// What the server presents in its handshakes (see `CoAPEndpoint.PKI`).
        public var presents: CoAPEndpoint.PKI.Presentation
        /// The PEM file of the CAs device certificates must chain to; `nil`: no certificate device is accepted.
        public var trustedCAFile: String?

        /// Creates a server credential.
        public init(
            certificatePEM: [UInt8], publicKeyPEM: [UInt8], privateKeyPEM: [UInt8],
            presents: CoAPEndpoint.PKI.Presentation, trustedCAFile: String?
        ) {
            self.certificatePEM = certificatePEM
            self.publicKeyPEM = publicKeyPEM
            self.privateKeyPEM = privateKeyPEM
            self.presents = presents
            self.trustedCAFile = trustedCAFile
        }
    }

    /// Registration events in the order they happened; finishes when the server stops.
    public let events: AsyncStream<RegistrationEvent>

    let configuration: Configuration
    let registry: RegistrationRegistry
    /// The CoAP route table: `/rd` (registration) and `/dp` (Send) are mounted; a module mounts its own paths
    /// (`/bs`, a firmware download path) here, before `start`.
    public let routes: CoAPRouteTable
    let endpoint: CoAPEndpoint
    let requestEncoder: DeviceRequestEncoder
    let knownEndpoint: @Sendable (String) async -> Bool
    let logger: Logger
    let receiver: ReportReceiver
    let observationStore: (any ObservationStore)?
    let profiles: @Sendable (Registration) async -> [ObservationRequest]
    let clock: @Sendable () -> Date

    /// Creates a server.
    ///
    /// - Parameters:
    ///   - objectModel: the object definitions used to type device payloads.
    ///   - knownEndpoint: whether an endpoint name has ever registered (from storage); it tells an unknown
    ///     endpoint from an offline one when a device-management request finds no live registration.
    ///   - observationStore: where observations are persisted so they survive a restart (`nil`: memory only).
    ///   - profiles: the observations to establish when a client registers (operator-defined profiles).
    ///   - reportSink: where notifications and Sends go; it returns `false` when it cannot take more
    ///     (back-pressure: a Send is then answered 5.03). It runs on the CoAP I/O thread and must not block.
    ///   - reportSinkIsFull: whether the sink would refuse a report now; a notification is then dropped before it
    ///     is decoded (under overload, decoding what cannot be stored takes the CPU the store needs).
    ///   - clock: supplies "now" for lifetimes (inject one in tests).
    public init(
        configuration: Configuration, logger: Logger, objectModel: ObjectModelRegistry = ObjectModelRegistry(),
        knownEndpoint: @escaping @Sendable (String) async -> Bool = { _ in false },
        observationStore: (any ObservationStore)? = nil,
        profiles: @escaping @Sendable (Registration) async -> [ObservationRequest] = { _ in [] },
        reportSink: (@Sendable (DeviceReport) -> Bool)? = nil,
        reportSinkIsFull: (@Sendable () -> Bool)? = nil,
        credentials: DTLSCredentialStore = DTLSCredentialStore(),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.requestEncoder = DeviceRequestEncoder(model: objectModel)
        self.knownEndpoint = knownEndpoint
        self.observationStore = observationStore
        self.profiles = profiles
        self.clock = clock
        let receiver = ReportReceiver(
            model: objectModel, logger: logger, clock: clock, sink: reportSink, sinkIsFull: reportSinkIsFull)
        self.receiver = receiver
        let (events, continuation) = AsyncStream.makeStream(of: RegistrationEvent.self, bufferingPolicy: .unbounded)
        self.events = events
        let sessions = SessionHolder()
        let registry = RegistrationRegistry(
            logger: logger, clock: clock, events: continuation, sessions: sessions, receiver: receiver,
            credentials: credentials,
            limits: .init(
                maxPayload: configuration.maxRegisterPayload, maxLinks: configuration.maxRegisterLinks,
                maxEndpoints: configuration.maxEndpoints, registerRate: configuration.registerRate),
            nosecAddressCheck: configuration.nosecAddressCheck)
        self.registry = registry
        // The CoAP resources of the LwM2M server; other modules mount theirs on `routes` before `start`.
        let routes = CoAPRouteTable()
        routes.mount("/rd") { registry.handleRegistration($0) }
        routes.mount("/dp") { registry.handleSend($0) }
        self.routes = routes
        var endpointConfiguration = CoAPEndpoint.Configuration(
            bindHost: configuration.host, bindPort: configuration.coapPort,
            libcoapLogLevel: configuration.libcoapLogLevel, dtlsBindPort: configuration.coapsPort,
            pskKey: { credentials.key(forIdentity: $0) }, receiveBufferBytes: configuration.udpReceiveBuffer)
        endpointConfiguration.maxBlock1Body = configuration.maxCoAPPayload
        endpointConfiguration.listensForPlainCoAP = configuration.plainCoAP
        if let own = configuration.serverCredential {
            endpointConfiguration.pki = CoAPEndpoint.PKI(
                certificatePEM: own.certificatePEM, publicKeyPEM: own.publicKeyPEM, privateKeyPEM: own.privateKeyPEM,
                presents: own.presents, trustedCAFile: own.trustedCAFile,
                acceptsPeer: { credentials.acceptsHandshake(of: $0) })
        }
        endpointConfiguration.onLimitRefusal = { ServerMetrics.limitRefusal($0) }
        endpoint = CoAPEndpoint(
            configuration: endpointConfiguration,
            logger: logger,
            requestHandler: { routes.route($0) },
            unsolicitedResponseHandler: { notification in
                receiver.handleUnsolicited(notification) { registry.notificationRefusal(for: $0, from: $1, in: $2) }
            })
        sessions.set(endpoint)
    }

    /// Puts back registrations persisted before a restart, so their clients can keep updating (call before `start`).
    ///
    /// Returns them as restored: an endpoint holding a credential is marked `.dtls` whatever was stored, so that
    /// it is never reached in plaintext (its requests wait until it talks over DTLS again).
    @discardableResult
    public func restore(_ registrations: [Registration]) -> [Registration] {
        let restored = registrations.map { registration in
            var registration = registration
            if registry.requiresDTLS(registration) { registration.transport = .dtls }
            return registration
        }
        registry.restore(restored)
        return restored
    }

    /// Binds the CoAP socket and starts the I/O thread; throws when the port cannot be bound.
    public func start() throws {
        try endpoint.start()
    }

    /// The bound UDP port (after `start`).
    public var boundPort: UInt16? { endpoint.boundPort }

    /// The DTLS port actually bound, when DTLS is on.
    public var boundDTLSPort: UInt16? { endpoint.boundDTLSPort }

    /// The live registration of `endpoint`, if any.
    public func registration(endpoint name: String) -> Registration? {
        registry.clients.withLock { $0.registrations.entry(endpoint: name)?.registration }
    }

    /// The number of live registrations.
    public var registrationCount: Int { registry.clients.withLock { $0.registrations.count } }

    /// Another ordered stream of registration events, e.g. for the live stream (create it before `start`).
    public func makeEventStream() -> AsyncStream<RegistrationEvent> { registry.makeEventStream() }

    /// Sweeps lifetimes and re-establishes observations after registrations until graceful shutdown; then
    /// stops CoAP and finishes `events`.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: self.configuration.sweepInterval)
                        self.registry.sweep()
                        self.sweepSilentObservations()
                    }
                }
                group.addTask { await self.superviseObservations() }
                group.addTask { await self.watchSocketDrops() }
                await group.waitForAll()
            }
        }
        endpoint.stop()
        registry.finish()
    }

    /// Publishes the kernel's drop counters of the listening sockets every few seconds
    /// (`lwm2m_udp_receive_drops_total{socket}`, `lwm2m_udp_receive_buffer_bytes{socket}`) and warns when they rise:
    /// a datagram the kernel dropped never reaches libcoap, so nothing else would show it.
    func watchSocketDrops() async {
        var last: [String: UInt64] = [:]
        while !Task.isCancelled {
            for socket in endpoint.socketStatistics() {
                let previous = last[socket.socket]
                last[socket.socket] = socket.drops
                let delta = previous.map { socket.drops &- $0 } ?? socket.drops
                Gauge(label: "lwm2m_udp_receive_buffer_bytes", dimensions: [("socket", socket.socket)])
                    .record(socket.receiveBufferBytes)
                guard delta > 0 else { continue }
                Counter(label: "lwm2m_udp_receive_drops_total", dimensions: [("socket", socket.socket)])
                    .increment(by: Int64(clamping: delta))
                logger.warning("the kernel dropped datagrams: receive buffer full", metadata: [
                    "socket": "\(socket.socket)", "port": "\(socket.port)", "dropped": "\(delta)",
                    "receiveBuffer": "\(socket.receiveBufferBytes)", "hint": "raise --udp-receive-buffer",
                ])
            }
            try? await Task.sleep(for: .seconds(5))
        }
    }

    /// Removes expired registrations now (the service does this every `sweepInterval`).
    public func sweepExpired() {
        registry.sweep()
    }
}

/// Gives the registry a way to hold and drop CoAP sessions once the endpoint exists.
final class SessionHolder: Sendable {
    private let endpoint = Mutex<CoAPEndpoint?>(nil)

    func set(_ newValue: CoAPEndpoint) { endpoint.withLock { $0 = newValue } }

    func retain(_ session: CoAPSessionID?) {
        guard let session else { return }
        endpoint.withLock { $0 }?.retain(session)
    }

    func release(_ session: CoAPSessionID?) {
        guard let session else { return }
        endpoint.withLock { $0 }?.release(session)
    }
}
