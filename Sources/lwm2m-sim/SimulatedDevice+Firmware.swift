import CoAP
import Foundation
import LwM2M

/// Firmware Update (Object 5, LwM2M 1.1 Core §E.6) of a simulated device: the requests to `/5/0` the state machine
/// decides (`SimulatedFirmware`), the background download, check and install, and the reboot that follows.
///
/// Locks: the tree's first, then the firmware's (`withFirmware`), never the other way round.
extension SimulatedDevice {
    /// The Object 5 resources the simulator acts on.
    enum FirmwarePath {
        static let package = SensorDrift.path(5, 0, 0)
        static let uri = SensorDrift.path(5, 0, 1)
        static let state = SensorDrift.path(5, 0, 3)
        static let result = SensorDrift.path(5, 0, 5)
        static let name = SensorDrift.path(5, 0, 6)
        static let version = SensorDrift.path(5, 0, 7)
        /// Device `/3/0/3` Firmware Version.
        static let deviceVersion = SensorDrift.path(3, 0, 3)
    }

    /// Whether the device leaves a request unanswered (after an empty ACK): any request to Object 5 once
    /// `--fw-fail timeout` struck.
    func firmwareIgnores(_ request: CoAPRequest) -> Bool {
        guard request.uriPath.first == "5" else { return false }
        return firmware.withLock { $0.silenced }
    }

    /// The answer to a request that the firmware state machine decides — Execute Update and Cancel, Writes of
    /// Package and Package URI — with `tree` updated; `nil` for everything else (Reads, Observe, Discover,
    /// Write-Attributes…), which the tree answers. Runs on the CoAP I/O thread with the tree locked: background work
    /// is started as a task.
    func firmwareOutcome(_ request: CoAPRequest, tree: inout ClientObjectTree, now: Date) -> ClientRequestOutcome? {
        let segments = request.uriPath
        guard segments.first == "5", segments.count >= 2, segments[1] == "0" else { return nil }
        switch (request.method, segments.count == 3 ? segments[2] : nil) {
        case (.post, "2"?):
            return executeUpdate(tree: &tree)
        case (.post, "10"?) where version != .v1_0:
            return cancelUpdate(tree: &tree)
        case (.put, nil), (.put, "0"?), (.put, "1"?):
            guard request.uriQuery.isEmpty else { return nil }  // Write-Attributes
            return firmwareWrite(request, tree: &tree, now: now)
        case (.post, nil), (.post, "0"?), (.post, "1"?):
            return firmwareWrite(request, tree: &tree, now: now)
        default:
            return nil
        }
    }

    /// A Write touching Package or Package URI: decoded by the tree on a copy, then taken or refused by the state
    /// machine; the write is answered at once (2.04) and the download runs in the background.
    private func firmwareWrite(_ request: CoAPRequest, tree: inout ClientObjectTree, now: Date) -> ClientRequestOutcome {
        var scratch = tree
        let outcome = scratch.process(request, now: now)
        guard case .written(let paths)? = outcome.event,
            paths.contains(FirmwarePath.uri) || paths.contains(FirmwarePath.package)
        else {
            if outcome.response.code.isSuccess { tree = scratch }
            return outcome
        }
        var pushed: [UInt8]?
        if paths.contains(FirmwarePath.package), case .opaque(let bytes)? = scratch.value(at: FirmwarePath.package) {
            pushed = bytes
        }
        var uri = ""
        if case .string(let text)? = scratch.value(at: FirmwarePath.uri) { uri = text }
        let fault = firmwareOptions.fault(for: name)
        let decision = firmware.withLock { firmware in
            // A package and a URI in one write: the package wins (it is here already).
            if let pushed, !paths.contains(FirmwarePath.uri) || !pushed.isEmpty {
                return firmware.writePackage(pushed, fault: fault)
            }
            return firmware.writeURI(uri, dtls: server.secure, fault: fault)
        }
        if case .refused(let code, let message) = decision {
            logger.info("firmware write refused", metadata: ["endpoint": "\(name)", "code": "\(code)", "reason": "\(message)"])
            return ClientRequestOutcome(response: .error(code, message))
        }
        // The package is not kept in the tree (Package is write-only; the state machine holds what it needs).
        try? scratch.setValue(.opaque([]), at: FirmwarePath.package)
        firmware.withLock { copyFirmwareState($0, into: &scratch) }
        tree = scratch
        start(decision)
        return outcome
    }

    /// Carries out a write the state machine took.
    private func start(_ decision: SimulatedFirmware.WriteDecision) {
        switch decision {
        case .refused:
            return
        case .reset:
            logger.info("firmware update reset", metadata: ["endpoint": "\(name)"])
            notifyObserversSoon()
        case .failed(let result):
            logger.info("firmware download refused", metadata: ["endpoint": "\(name)", "updateResult": "\(result.rawValue)"])
            notifyObserversSoon()
        case .silenced:
            logger.info("firmware fault: no more answers to Object 5", metadata: ["endpoint": "\(name)"])
        case .stuck:
            logger.info("firmware fault: the download never ends", metadata: ["endpoint": "\(name)"])
            notifyObserversSoon()
        case .download(let uri, let generation, let first):
            logger.info("firmware download started", metadata: ["endpoint": "\(name)", "uri": "\(uri.text)"])
            let task = Task { await self.download(uri, generation: generation, first: first) }
            firmware.withLock { if $0.generation == generation { $0.work = task } }
        case .push(let bytes, let generation):
            logger.info("firmware package pushed", metadata: ["endpoint": "\(name)", "bytes": "\(bytes.count)"])
            let task = Task { await self.received(bytes, method: .push, uri: nil, resumedAt: 0, generation: generation) }
            firmware.withLock { if $0.generation == generation { $0.work = task } }
        }
    }

    /// Execute Update: State Updating and 2.04, then the install in the background; 4.05 outside Downloaded.
    private func executeUpdate(tree: inout ClientObjectTree) -> ClientRequestOutcome {
        let decided = firmware.withLock { firmware in
            defer { copyFirmwareState(firmware, into: &tree) }
            return firmware.executeUpdate()
        }
        switch decided {
        case .failure(let refusal):
            logger.info("firmware update refused", metadata: ["endpoint": "\(name)", "reason": "\(refusal.message)"])
            return ClientRequestOutcome(response: .error(.methodNotAllowed, refusal.message))
        case .success(let generation):
            logger.info("firmware update started", metadata: ["endpoint": "\(name)"])
            let task = Task { await self.install(generation: generation) }
            firmware.withLock { if $0.generation == generation { $0.work = task } }
            return ClientRequestOutcome(response: CoAPResponse(code: .changed))
        }
    }

    /// Cancel (LwM2M 1.1): Idle with Update Result 10, or 4.05 when there is nothing to cancel.
    private func cancelUpdate(tree: inout ClientObjectTree) -> ClientRequestOutcome {
        let refusal = firmware.withLock { firmware in
            defer { copyFirmwareState(firmware, into: &tree) }
            return firmware.cancel()
        }
        if let refusal { return ClientRequestOutcome(response: .error(.methodNotAllowed, refusal.message)) }
        logger.info("firmware update cancelled", metadata: ["endpoint": "\(name)"])
        notifyObserversSoon()
        return ClientRequestOutcome(response: CoAPResponse(code: .changed))
    }

    /// Copies State and Update Result into the tree (the tree's lock held).
    func copyFirmwareState(_ firmware: SimulatedFirmware, into tree: inout ClientObjectTree) {
        try? tree.setValue(.integer(firmware.state.rawValue), at: FirmwarePath.state)
        try? tree.setValue(.integer(firmware.result.rawValue), at: FirmwarePath.result)
    }

    /// Runs `body` with the tree and the firmware state locked (in that order), then copies State and Update Result
    /// into the tree.
    func withFirmware<T: Sendable>(_ body: (inout SimulatedFirmware, inout ClientObjectTree) -> T) -> T {
        tree.withLock { tree in
            firmware.withLock { firmware in
                defer { copyFirmwareState(firmware, into: &tree) }
                return body(&firmware, &tree)
            }
        }
    }

    /// A package arrived whole: logs it (`--fw-log`), then Downloaded (or the `integrity` fault), and notifies.
    func received(_ bytes: [UInt8], method: FirmwareDownloadMethod, uri: String?, resumedAt: Int, generation: Int) async {
        let package = FirmwarePackage(bytes: bytes)
        firmwareOptions.log?.received(
            endpoint: name, method: method, uri: uri, package: package, resumedAt: resumedAt, at: Date())
        let fault = firmwareOptions.fault(for: name)
        let current = withFirmware { firmware, _ in firmware.downloaded(package, generation: generation, fault: fault) }
        guard current else { return }
        logger.info("firmware package received", metadata: [
            "endpoint": "\(name)", "method": "\(method.rawValue)", "bytes": "\(package.size)",
            "sha256": "\(package.sha256)", "version": "\(package.version)", "resumedAt": "\(resumedAt)",
            "integrity": "\(fault == .integrity ? "failed" : "ok")",
        ])
        await notifyObserversNow()
    }

    /// The install: after `--fw-install-ms`, the new version in `/3/0/3`, `/5/0/7` and `/5/0/6`, State Idle with
    /// Update Result 1, and a reboot (de-register, register anew); with `update-failed`, Downloaded and Result 8.
    private func install(generation: Int) async {
        await notifyObserversNow()
        try? await Task.sleep(for: firmwareOptions.installDelay)
        guard !Task.isCancelled else { return }
        let fault = firmwareOptions.fault(for: name)
        let end = withFirmware { firmware, tree -> SimulatedFirmware.InstallEnd? in
            let end = firmware.installed(generation: generation, fault: fault)
            if case .reboot(let package)? = end {
                try? tree.setValue(.string(package.version), at: FirmwarePath.deviceVersion)
                try? tree.setValue(.string(package.version), at: FirmwarePath.version)
                try? tree.setValue(.string(package.name), at: FirmwarePath.name)
            }
            return end
        }
        switch end {
        case nil:
            return
        case .failed?:
            logger.info("firmware fault: the update failed", metadata: ["endpoint": "\(name)"])
            await notifyObserversNow()
        case .reboot(let package)?:
            logger.info("firmware installed, rebooting", metadata: ["endpoint": "\(name)", "version": "\(package.version)"])
            await notifyObserversNow()
            state.withLock { $0.rebootRequested = true }
            wake.signal()
        }
    }

    /// Sends the notifications due now (a State or Update Result change is due at once unless `pmin` holds it back),
    /// without waiting for the ticker.
    func notifyObserversNow() async {
        let now = Date()
        let due = dueNotifications(now: now, maximumInterval: reporting.notifyInterval)
        guard !due.isEmpty else { return }
        let sent = await coap.sendNotifications(due.map { outgoing($0, options: reporting) })
        for (notification, wasSent) in zip(due, sent) {
            delivered(notification, sent: wasSent, sentAt: now)
        }
    }

    /// `notifyObserversNow` from the I/O thread, after the answer being built has gone out.
    private func notifyObserversSoon() {
        Task { await self.notifyObserversNow() }
    }
}
