import CoAP
import Foundation
import Logging
import LwM2M
import Synchronization

/// One simulated LwM2M client: holds an object tree, registers with its links, updates at half its lifetime (and
/// at once when its instances, its lifetime or the Registration Update Trigger ask for it), re-registers when
/// forgotten, and answers the server's requests through the tree, which also keeps the server's observations
/// (notifications and Sends: `SimulatedDevice+Reporting.swift`); Firmware Update `/5/0` is decided by its own
/// state machine (`SimulatedDevice+Firmware.swift`) and ends in a reboot: De-register, then a new Register.
final class SimulatedDevice: Sendable {
    /// Registration state shared by the device's task and the CoAP I/O thread.
    struct State {
        var session: CoAPSessionID?
        var location: [String]?
        /// The instance set changed since the last Register/Update: the next Update carries the links.
        var linksChanged = false
        /// The server wrote the lifetime: the next Update carries `lt=`.
        var lifetimeChanged = false
        /// What the server's Current Time write moved the device clock by.
        var clockOffset: TimeInterval = 0
        /// When the next Send is due (`nil` until the first tick after registering).
        var nextSend: Date?
        /// Whether a refused Send was logged already (one warning per device).
        var sendRefusalLogged = false
        /// The receiver in queue mode (`nil`: always listening).
        var radio: QueueModeRadio?
        /// Tokens of Observe requests whose answer is held (`--response-delay-ms`): their notifications wait for it.
        var heldObserveTokens: Set<[UInt8]> = []
        /// A firmware install finished: de-register and register anew, as a rebooted device does.
        var rebootRequested = false
    }

    let name: String
    let lifetime: Int
    let version: LwM2MVersion
    let coap: CoAPEndpoint
    let server: ServerAddress
    let logger: Logger
    let stats: SimulationStats
    /// Where reported values are logged (`--report-log`), if anywhere.
    let reportLog: ReportLog?
    /// How notifications go out (for the ones firmware state changes send at once).
    let reporting: ReportingOptions
    /// Firmware version, install time, interruptions, faults and the package log.
    let firmwareOptions: FirmwareOptions
    /// The Firmware Update state machine (locked after `tree`, never before).
    let firmware = Mutex(SimulatedFirmware())
    /// Queue mode, answer delay and request log.
    let answering: AnsweringOptions
    /// Where answers wait with `--response-delay-ms` (shared by all devices).
    let delayedAnswers: DelayedAnswers?
    /// The content formats announced with `ct=` on the root link (none for LwM2M 1.0).
    let announced: [ContentFormat]
    let drift: SensorDrift
    /// The format of Sends (LwM2M 1.1 Core §6.4.6): SenML JSON with `--format senml-json`, else SenML CBOR;
    /// `nil` for LwM2M 1.0, which has no Send.
    let sendFormat: ContentFormat?
    let state = Mutex(State())
    let tree: Mutex<ClientObjectTree>
    /// Wakes the registration task early for an Update.
    let wake = WakeSignal()

    init(name: String, lifetime: Int, version: LwM2MVersion, coap: CoAPEndpoint, server: ServerAddress,
         logger: Logger, stats: SimulationStats, reportLog: ReportLog? = nil,
         answering: AnsweringOptions = AnsweringOptions(), delayedAnswers: DelayedAnswers? = nil,
         reporting: ReportingOptions = ReportingOptions(), firmwareOptions: FirmwareOptions = FirmwareOptions(),
         profile: DeviceProfile = .configured) {
        self.name = name
        self.lifetime = lifetime
        self.version = version
        self.coap = coap
        self.server = server
        self.logger = logger
        self.stats = stats
        self.reportLog = reportLog
        self.reporting = reporting
        self.firmwareOptions = firmwareOptions
        self.answering = answering
        self.delayedAnswers = delayedAnswers
        if answering.queueMode {
            state.withLock { $0.radio = QueueModeRadio(awakeWindow: answering.awakeWindow) }
        }
        announced = SimulatedFormat.announced(by: version, chosen: profile.format)
        drift = SensorDrift(name: name)
        switch version {
        case .v1_0: sendFormat = nil
        case .v1_1, .v1_2: sendFormat = profile.format == .senmlJSON ? .senmlJSON : .senmlCBOR
        }
        let host = server.host.contains(":") ? "[\(server.host)]" : server.host
        do {
            tree = Mutex(try SimulatedObjects.tree(
                name: name, serverURI: "\(server.secure ? "coaps" : "coap")://\(host):\(server.port)", lifetime: lifetime, version: version,
                queueMode: answering.queueMode, announced: announced, model: profile.model, drift: drift, now: Date(),
                firmwareVersion: firmwareOptions.firmwareVersion, dtls: server.secure))
        } catch {
            // SimulatorCommand checks the object definitions before any device exists.
            preconditionFailure("the object definitions do not fit the simulated objects: \(error)")
        }
    }

    /// The Register/Update payload: the root link with `ct=`, then every object and instance the tree holds.
    var objectLinks: String {
        LinkFormat.serialize(tree.withLock { $0.registrationLinks(contentFormats: announced) })
    }

    /// The lifetime the Server object holds now (the server may write it), at least 1 s.
    var currentLifetime: Int {
        let value = tree.withLock { $0.value(at: SensorDrift.path(1, 0, 1)) }
        if case .integer(let seconds)? = value, seconds > 0 { return Int(clamping: seconds) }
        return lifetime
    }

    /// Registers, then keeps the registration alive until cancelled.
    func live(directory: DeviceDirectory) async {
        var backoff = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                let session = try await currentSession(directory: directory)
                if state.withLock({ $0.location }) == nil {
                    try await register(session: session)
                    backoff = .seconds(1)
                }
                try await waitForUpdate()
                if state.withLock({ state in defer { state.rebootRequested = false }; return state.rebootRequested }) {
                    await reboot()
                    continue
                }
                try await update(session: session)
            } catch is CancellationError {
                return
            } catch {
                stats.withLock { $0.failures += 1 }
                logger.warning("endpoint failed, retrying", metadata: ["endpoint": "\(name)", "error": "\(error)"])
                if let coapError = error as? CoAPError, coapError.kind == .sessionGone {
                    // The session is gone (a failed DTLS handshake, a closed session): open a new one next time.
                    if let stale = state.withLock({ state -> CoAPSessionID? in
                        defer { state.session = nil }
                        return state.session
                    }) {
                        directory.remove(session: stale)
                    }
                }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }

    /// Sleeps half the lifetime, or less when something asks for an Update (LwM2M 1.1 Core §6.2.2).
    private func waitForUpdate() async throws {
        let interval = Duration.seconds(max(1, Double(currentLifetime) / 2))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Task.sleep(for: interval) }
            group.addTask { await self.wake.next() }
            try await group.next()
            group.cancelAll()
        }
        try Task.checkCancellation()
    }

    private func currentSession(directory: DeviceDirectory) async throws -> CoAPSessionID {
        if let session = state.withLock({ $0.session }) { return session }
        let session = try await coap.connect(
            host: server.host, port: server.port, credential: try server.credential(for: name), libcoapBlockwise: nil)
        state.withLock { $0.session = session }
        directory.add(self, session: session)
        return session
    }

    private func register(session: CoAPSessionID) async throws {
        state.withLock { $0.linksChanged = false; $0.lifetimeChanged = false; $0.nextSend = nil }
        // A new registration starts without observations (LwM2M 1.1 Core §6.2.1): forget them before the
        // server can observe anew.
        tree.withLock { $0.removeAllObservations() }
        wake.clear()
        let query = ["ep=\(name)", "lt=\(currentLifetime)", "lwm2m=\(version.rawValue)"]
            + Self.bindingQuery(version: version, queueMode: answering.queueMode)
        let response = try await exchange(
            CoAPRequest(method: .post, uriPath: ["rd"], uriQuery: query, contentFormat: 40,
                        payload: Array(objectLinks.utf8)),
            on: session)
        guard response.code == .created, response.locationPath.count == 2 else {
            throw SimulatorError("register answered \(response.code) \(response.payloadText)")
        }
        state.withLock { $0.location = response.locationPath }
        stats.withLock { $0.registered += 1; $0.registrations += 1 }
        logger.debug("registered", metadata: ["endpoint": "\(name)", "location": "\(response.locationPath.joined(separator: "/"))"])
    }

    /// Sends Update (LwM2M 1.1 Core §6.2.2), with `lt=` and the links when they changed.
    private func update(session: CoAPSessionID) async throws {
        let taken = state.withLock { state -> (location: [String]?, links: Bool, lifetime: Bool) in
            defer { state.linksChanged = false; state.lifetimeChanged = false }
            return (state.location, state.linksChanged, state.lifetimeChanged)
        }
        guard let location = taken.location else { return }
        var request = CoAPRequest(method: .post, uriPath: location)
        if taken.lifetime { request.uriQuery = ["lt=\(currentLifetime)"] }
        if taken.links {
            request.contentFormat = 40
            request.payload = Array(objectLinks.utf8)
        }
        let response: CoAPResponse
        do {
            response = try await exchange(request, on: session)
        } catch {
            state.withLock { $0.linksChanged = $0.linksChanged || taken.links; $0.lifetimeChanged = $0.lifetimeChanged || taken.lifetime }
            throw error
        }
        if response.code == .changed {
            stats.withLock { $0.updates += 1 }
            return
        }
        if response.code == .notFound {
            // The server forgot us (expiry, restart without state): register again (LwM2M 1.1 Core §6.2.2).
            state.withLock { $0.location = nil }
            stats.withLock { $0.reRegistrations += 1; $0.registered -= 1 }
            logger.info("update answered 4.04, registering again", metadata: ["endpoint": "\(name)"])
            return
        }
        throw SimulatorError("update answered \(response.code) \(response.payloadText)")
    }

    /// The binding parameters of Register: `b=U`; in queue mode `b=UQ` for LwM2M 1.0 (1.0 Core §5.3.1, binding
    /// modes), and `b=U` plus the bare `Q` parameter for 1.1 and 1.2 (1.1 Core §6.2.1, Queue Mode parameter).
    static func bindingQuery(version: LwM2MVersion, queueMode: Bool) -> [String] {
        guard queueMode else { return ["b=U"] }
        switch version {
        case .v1_0: return ["b=UQ"]
        case .v1_1, .v1_2: return ["b=U", "Q"]
        }
    }

    /// Sends a request of the device and waits for its answer; in queue mode the awake window restarts when it goes
    /// out and again when the exchange ends (the receiver is on while the device waits).
    func exchange(
        _ request: CoAPRequest, on session: CoAPSessionID, timeout: Duration = .seconds(5)
    ) async throws -> CoAPResponse {
        transmitted(at: Date())
        defer { transmitted(at: Date()) }
        return try await coap.send(request, on: session, timeout: timeout)
    }

    /// Restarts after a firmware install: De-register (LwM2M 1.1 Core §6.2.3), then the caller registers anew (a new
    /// registration, not an Update), so the server sees the device come back with its new firmware version.
    private func reboot() async {
        let wasRegistered = await deregister()
        state.withLock { $0.location = nil }
        if wasRegistered { stats.withLock { $0.registered -= 1 } }
        logger.info("rebooted after a firmware update, registering again", metadata: ["endpoint": "\(name)"])
    }

    /// Sends De-register (LwM2M 1.1 Core §6.2.3), best effort with a short timeout.
    @discardableResult
    func deregister() async -> Bool {
        let (session, location) = state.withLock { ($0.session, $0.location) }
        guard let session, let location else { return false }
        state.withLock { $0.location = nil }
        do {
            let response = try await exchange(
                CoAPRequest(method: .delete, uriPath: location), on: session, timeout: .seconds(5))
            guard response.code == .deleted else {
                logger.warning("de-register answered \(response.code)", metadata: ["endpoint": "\(name)"])
                return false
            }
            return true
        } catch {
            logger.warning("de-register failed", metadata: ["endpoint": "\(name)", "error": "\(error)"])
            return false
        }
    }
}

/// A simulator failure with a message.
struct SimulatorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
