import CoAP
import Foundation
import Logging
import LwM2M
import ServiceLifecycle
import Synchronization

/// Runs all simulated endpoints on one CoAP endpoint (one libcoap context, one socket per endpoint).
final class Simulation: Service, Sendable {
    let server: ServerAddress
    let names: [String]
    let lifetime: Int
    let version: LwM2MVersion
    let rate: Int
    let duration: Duration?
    let reporting: ReportingOptions
    let answering: AnsweringOptions
    /// Firmware Update behaviour (`--firmware-version`, `--fw-*`).
    let firmware: FirmwareOptions
    /// The answers held back with `--response-delay-ms` (`nil` without it).
    let delayedAnswers: DelayedAnswers?
    let logger: Logger
    let devices: DeviceDirectory
    let coap: CoAPEndpoint
    let stats = SimulationStats()

    init(server: ServerAddress, names: [String], lifetime: Int, version: LwM2MVersion, rate: Int,
         duration: Duration?, reporting: ReportingOptions, answering: AnsweringOptions = AnsweringOptions(),
         firmware: FirmwareOptions = FirmwareOptions(), logger: Logger) {
        self.server = server
        self.names = names
        self.lifetime = lifetime
        self.version = version
        self.rate = rate
        self.duration = duration
        self.reporting = reporting
        self.answering = answering
        self.firmware = firmware
        delayedAnswers = answering.responseDelay.map { DelayedAnswers(delay: $0) }
        self.logger = logger
        let devices = DeviceDirectory()
        self.devices = devices
        var configuration = CoAPEndpoint.Configuration()
        if let maxBlock = firmware.maxBlock {
            // The blocks must reach the handler one by one to be refused for their size: libcoap's block mode
            // would take a push whose first block carries Size1 whole.
            configuration.libcoapBlockwise = false
            configuration.maxBlock1Size = maxBlock
            configuration.maxBlock1Body = 512 << 20
        }
        coap = CoAPEndpoint(
            configuration: configuration, logger: logger,
            requestHandler: { inbound in
                guard let device = devices.device(for: inbound.session) else {
                    return .error(.notFound, "unknown session")
                }
                return device.handle(inbound)
            },
            resetHandler: { session, token in
                devices.device(for: session)?.observationReset(session: session, token: token)
            })
    }

    func run() async throws {
        try coap.start()
        defer { coap.stop() }
        logger.info("starting simulated endpoints", metadata: [
            "count": "\(names.count)", "server": "\(server.host):\(server.port)", "lwm2m": "\(version.rawValue)",
            "queueMode": "\(answering.queueMode)",
        ])
        if let fault = firmware.fault {
            for name in names where firmware.failing.contains(name) {
                logger.info("firmware fault injected", metadata: ["endpoint": "\(name)", "kind": "\(fault.rawValue)"])
                firmware.log?.fault(endpoint: name, kind: fault)
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.report() }
            group.addTask { await self.reportValues() }
            if let delayedAnswers {
                group.addTask { await delayedAnswers.run(coap: self.coap) }
            }
            for (index, name) in names.enumerated() {
                let device = SimulatedDevice(
                    name: name, lifetime: lifetime, version: version, coap: coap, server: server,
                    logger: logger, stats: stats, reportLog: reporting.reportLog, answering: answering,
                    delayedAnswers: delayedAnswers, reporting: reporting, firmwareOptions: firmware)
                let delay = Duration.seconds(Double(index) / Double(rate))
                group.addTask {
                    try? await Task.sleep(for: delay)
                    guard !Task.isCancelled else { return }
                    await device.live(directory: self.devices)
                }
            }
            await waitForGracefulShutdown(orAfter: duration)
            group.cancelAll()
        }
        // De-register everything still registered, paced like registration: a burst of thousands of
        // datagrams at once overflows the server's socket buffer and costs retransmissions.
        let registered = devices.all
        let deregistered = await withTaskGroup(of: Bool.self) { group in
            for (index, device) in registered.enumerated() {
                let delay = Duration.seconds(Double(index) / Double(rate))
                group.addTask {
                    try? await Task.sleep(for: delay)
                    return await device.deregister()
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        let final = stats.withLock { $0 }
        logger.info("simulation stopped", metadata: [
            "deregistered": "\(deregistered)", "updates": "\(final.updates)", "failures": "\(final.failures)",
            "notifications": "\(final.notifications)", "sends": "\(final.sends)",
            "sendFailures": "\(final.sendFailures)", "requests": "\(final.requests)", "dropped": "\(final.dropped)",
        ])
        if let path = reporting.statsFile { writeStats(final, to: path) }
        if final.registrations == 0 {
            // A script starting the simulator must see that nothing worked (wrong address, port, key).
            throw SimulatorError("no device could register with \(server.host):\(server.port) (\(final.failures) failures)")
        }
    }

    /// The one ticker of all devices (LwM2M 1.1 Core §6.4): every `reporting.tick` it walks the devices,
    /// sends the notifications due (in order, on the I/O thread: no waiting for the peer) and starts the Sends due
    /// as child tasks, so a slow server delays no other device. In queue mode it also notes which devices fell asleep.
    private func reportValues() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                try? await Task.sleep(for: reporting.tick)
                guard !Task.isCancelled else { return }
                let now = Date()
                var due: [(device: SimulatedDevice, notification: ClientNotification)] = []
                for device in devices.all {
                    if answering.queueMode { device.lookAtRadio(at: now) }
                    for notification in device.dueNotifications(now: now, maximumInterval: reporting.notifyInterval) {
                        due.append((device, notification))
                    }
                    if let interval = reporting.sendInterval, device.sendIsDue(now: now, interval: interval) {
                        group.addTask { await device.sendMeasurements(now: now) }
                    }
                }
                // One hand-over to the I/O thread per tick, not one per notification.
                let sent = await coap.sendNotifications(due.map { $0.device.outgoing($0.notification, options: reporting) })
                for (item, wasSent) in zip(due, sent) {
                    item.device.delivered(item.notification, sent: wasSent, sentAt: now)
                }
            }
        }
    }

    /// Logs progress every few seconds while devices start, and once when every endpoint has registered.
    private func report() async {
        var announced = false
        var seconds = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            seconds += 1
            let current = stats.withLock { $0 }
            if !announced, current.registered >= names.count {
                announced = true
                logger.notice("all endpoints registered", metadata: ["count": "\(names.count)"])
            } else if !announced, seconds % 3 == 0 {
                logger.notice("registering", metadata: [
                    "registered": "\(current.registered)", "of": "\(names.count)", "failures": "\(current.failures)",
                ])
            }
            if let path = reporting.statsFile { writeStats(current, to: path) }
        }
    }

    /// Replaces `path` with the counters (written beside it, then renamed, so a reader never sees half a file).
    private func writeStats(_ counts: SimulationStats.Counts, to path: String) {
        let fields: [String: Any] = [
            "time": Date().timeIntervalSince1970, "registered": counts.registered,
            "notifications": counts.notifications, "notificationFailures": counts.notificationFailures,
            "sends": counts.sends, "sendFailures": counts.sendFailures, "observeAnswers": counts.observeAnswers,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data), rename(temporary, path) == 0 else {
            logger.warning("cannot write the stats file", metadata: ["path": "\(path)", "errno": "\(errno)"])
            return
        }
    }
}

/// Finds a simulated device by the session a request arrived on (read on the CoAP I/O thread).
final class DeviceDirectory: Sendable {
    private let bySession = Mutex<[CoAPSessionID: SimulatedDevice]>([:])

    func add(_ device: SimulatedDevice, session: CoAPSessionID) { bySession.withLock { $0[session] = device } }
    func remove(session: CoAPSessionID) { _ = bySession.withLock { $0.removeValue(forKey: session) } }
    func device(for session: CoAPSessionID) -> SimulatedDevice? { bySession.withLock { $0[session] } }
    var all: [SimulatedDevice] { bySession.withLock { Array($0.values) } }
}

/// Suspends until the service group starts a graceful shutdown, or `duration` (when given) has passed.
func waitForGracefulShutdown(orAfter duration: Duration?) async {
    let deadline = duration.map { ContinuousClock.now.advanced(by: $0) }
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        if let deadline, ContinuousClock.now >= deadline { return }
        try? await Task.sleep(for: .milliseconds(100))
    }
}

/// Counters shared by all simulated devices.
final class SimulationStats: Sendable {
    struct Counts {
        var registered = 0
        /// Registrations that succeeded, over the whole run (`registered` is how many hold now).
        var registrations = 0
        var updates = 0
        var reRegistrations = 0
        var failures = 0
        var notifications = 0
        var notificationFailures = 0
        var sends = 0
        var sendFailures = 0
        /// Server requests handled.
        var requests = 0
        /// Server requests dropped by asleep queue-mode devices.
        var dropped = 0
        /// Observe requests answered with a first value (the server stores it like a notification).
        var observeAnswers = 0
    }

    private let counts = Mutex(Counts())

    func withLock<T: Sendable>(_ body: (inout Counts) -> T) -> T { counts.withLock { body(&$0) } }
}
