import CoAP
import Foundation
import Logging
import LwM2M
import Metrics
import ResourceModel

/// How the orchestrator runs updates.
public struct FirmwareOrchestratorConfiguration: Sendable {
    /// The phase timeouts and fallback-read period of every update.
    public var timeouts: FirmwareUpdateTimeouts
    /// Deliveries per update at most (the first and the retries), unless an update asks otherwise.
    public var maxAttempts: Int
    /// How often deadlines, fallback reads and campaign starts are checked.
    public var tickInterval: Duration
    /// How long a download link lives at most (it is revoked as soon as its update ends).
    public var linkLifetime: TimeInterval
    /// The bytes of a push carried by one queued operation (a multiple of 1024): each part is retried on its
    /// own and a restart resumes at the last part that finished.
    public var pushPartSize: Int64
    /// The Block1 size a push starts with (16...1024, a power of two); devices may ask for smaller blocks.
    public var pushBlockSize: Int
    /// How long an `auto` update of a reachable device waits for `/5/0/8` and `/5/0/9` when no value of them is
    /// stored (they are read through the queue); what has not arrived by then counts as not announced.
    public var announcementWait: Duration = .seconds(10)

    /// Creates a configuration.
    public init(timeouts: FirmwareUpdateTimeouts = FirmwareUpdateTimeouts(), maxAttempts: Int = 3,
                tickInterval: Duration = .milliseconds(500), linkLifetime: TimeInterval = 86_400,
                pushPartSize: Int64 = 64 << 10, pushBlockSize: Int = 1024) {
        precondition(pushPartSize > 0 && pushPartSize % 1024 == 0, "a push part is a whole number of KiB")
        precondition([16, 32, 64, 128, 256, 512, 1024].contains(pushBlockSize), "a block is 16...1024 bytes")
        self.timeouts = timeouts
        self.maxAttempts = max(1, maxAttempts)
        self.tickInterval = tickInterval
        self.linkLifetime = linkLifetime
        self.pushPartSize = pushPartSize
        self.pushBlockSize = pushBlockSize
    }
}

/// An operator's request for one update (`POST /api/v1/endpoints/{ep}/firmware-updates`).
public struct NewFirmwareUpdate: Sendable, Equatable {
    /// The image to install.
    public var firmwareID: Int64
    /// The delivery method (`auto`: from what the device announces).
    public var method: FirmwareMethodChoice
    /// Deliveries at most; `nil` for the configured default.
    public var maxAttempts: Int?

    /// Creates a request.
    public init(firmwareID: Int64, method: FirmwareMethodChoice = .auto, maxAttempts: Int? = nil) {
        self.firmwareID = firmwareID
        self.method = method
        self.maxAttempts = maxAttempts
    }
}

/// An operator's request for a campaign (`POST /api/v1/campaigns`). The targets are the union of `endpoints`,
/// the names matching `pattern`, and the endpoints whose `/3/0/1` Model Number is `model` (the last value
/// stored), in that order, without duplicates.
public struct NewCampaign: Sendable, Equatable {
    public var firmwareID: Int64
    public var endpoints: [String]
    public var pattern: String?
    public var model: String?
    public var method: FirmwareMethodChoice
    public var maxConcurrent: Int
    public var perMinute: Int?
    public var failureThreshold: Double
    /// Devices that must have finished before the threshold is judged.
    public var thresholdMinimum: Int
    public var waves: [Double]

    /// Creates a request.
    public init(firmwareID: Int64, endpoints: [String] = [], pattern: String? = nil, model: String? = nil,
                method: FirmwareMethodChoice = .auto, maxConcurrent: Int = 10, perMinute: Int? = nil,
                failureThreshold: Double = 1, thresholdMinimum: Int = 1, waves: [Double] = []) {
        self.thresholdMinimum = thresholdMinimum
        self.firmwareID = firmwareID
        self.endpoints = endpoints
        self.pattern = pattern
        self.model = model
        self.method = method
        self.maxConcurrent = maxConcurrent
        self.perMinute = perMinute
        self.failureThreshold = failureThreshold
        self.waves = waves
    }
}

/// Why the orchestrator refused a request.
public enum FirmwareUpdateError: Error, Equatable, Sendable {
    case unknownEndpoint(String)
    case unknownEndpoints([String])
    case unknownFirmware(Int64)
    case updateActive(endpoint: String, updateID: Int64)
    case unsupportedMethod(endpoint: String, reason: String)
    case updateNotFound(Int64)
    case campaignNotFound(Int64)
    case noTargets
    /// The campaign cannot do that in its status (resume a running one, pause a completed one).
    case campaignStatus(id: Int64, status: String, action: String)
}

/// Runs firmware updates and campaigns: feeds each `FirmwareUpdate` and `Campaign` state machine what happens
/// (answers of the queued operations, `/5/0/3` and `/5/0/5` values from the lossless stored-report path,
/// registrations, time), carries out what they ask for through the operation queue — so sleeping queue-mode
/// devices are updated when they wake — and stores every change, so that after a restart every update and
/// campaign continues from its stored state. Publishes `FIRMWARE` and `CAMPAIGN` on the live stream.
public actor FirmwareOrchestrator {
    private struct Active {
        var document: FirmwareUpdateDocument
        var token: String?
        var expiresAt: Date?
    }

    private let stores: Stores
    private let images: FirmwareImages
    private let downloads: FirmwareDownloads
    private let dispatcher: OperationDispatcher
    private let observations: (any ObservationManagement)?
    private let hub: LiveEventHub?
    private let packageURI: @Sendable (FirmwareDeliveryMethod, _ secure: Bool, _ token: String) -> String?
    private let configuration: FirmwareOrchestratorConfiguration
    private let logger: Logger
    private let clock: @Sendable () -> Date

    private var active: [Int64: Active] = [:]
    private var byEndpoint: [String: Int64] = [:]
    private var byOperation: [Int64: Int64] = [:]
    /// Final operations of firmware paths that finished before their enqueue returned (actor reentrancy).
    private var orphans: [Int64: (operation: EndpointOperation, at: Date)] = [:]
    /// Running and paused campaigns.
    private var campaigns: [Int64: Campaign] = [:]

    /// The paths whose values drive updates.
    public static let reportedPaths: [LwM2MPath] = [FirmwareResource.state.lwm2mPath,
                                                    FirmwareResource.updateResult.lwm2mPath]

    /// Creates the orchestrator. `packageURI` gives the URI a device downloads a package from by a method, for a
    /// device on DTLS (`secure`) or not, and the link's token; `nil` when the server does not serve it.
    public init(
        stores: Stores, images: FirmwareImages, downloads: FirmwareDownloads, dispatcher: OperationDispatcher,
        observations: (any ObservationManagement)?, hub: LiveEventHub?,
        packageURI: @escaping @Sendable (FirmwareDeliveryMethod, _ secure: Bool, _ token: String) -> String?,
        configuration: FirmwareOrchestratorConfiguration = .init(), logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.stores = stores
        self.images = images
        self.downloads = downloads
        self.dispatcher = dispatcher
        self.observations = observations
        self.hub = hub
        self.packageURI = packageURI
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        dispatcher.register(FirmwarePushSource(directory: images.directory), scheme: FirmwarePushSource.scheme)
    }

    // MARK: - Updates

    /// Creates and starts an update of `endpoint`.
    public func startUpdate(endpoint: String, _ new: NewFirmwareUpdate) async throws -> FirmwareUpdateView {
        try await startUpdate(endpoint: endpoint, new, campaignID: nil)
    }

    private func startUpdate(endpoint: String, _ new: NewFirmwareUpdate, campaignID: Int64?) async throws
        -> FirmwareUpdateView
    {
        guard let stored = try await stores.endpoints.endpoint(named: endpoint) else {
            throw FirmwareUpdateError.unknownEndpoint(endpoint)
        }
        guard let image = try await stores.firmware.firmware(id: new.firmwareID) else {
            throw FirmwareUpdateError.unknownFirmware(new.firmwareID)
        }
        if let id = byEndpoint[endpoint] { throw FirmwareUpdateError.updateActive(endpoint: endpoint, updateID: id) }
        let latest = try await stores.telemetry.latestValues(endpoint: endpoint) ?? []
        func values(under path: String) -> [LwM2MValue] {
            latest.filter { $0.path.description == path || $0.path.description.hasPrefix(path + "/") }
                .compactMap(\.value)
        }
        var protocols = values(under: FirmwareResource.protocolSupport.path).compactMap(\.integerValue)
        var delivery = values(under: FirmwareResource.deliveryMethod.path).first?.integerValue
        if new.method == .auto, protocols.isEmpty || delivery == nil {
            let read = await readAnnouncement(
                endpoint: endpoint, protocols: protocols.isEmpty, delivery: delivery == nil)
            if protocols.isEmpty { protocols = read.protocols }
            delivery = delivery ?? read.delivery
        }
        let versionBefore = values(under: FirmwareResource.firmwareVersion.path).first?.textValue
        let secure = stored.transport == RegistrationTransport.dtls.rawValue
        // What the device never announced does not overrule an operator's explicit choice.
        var announced: [Int]? = protocols.isEmpty ? nil : protocols
        if announced == nil, new.method == .httpPull {
            announced = [secure ? FirmwareDeliveryMethod.protocolHTTPS : FirmwareDeliveryMethod.protocolHTTP]
        }
        let selection = FirmwareDeliveryMethod.select(
            new.method, protocols: announced, deliveryMethods: delivery, dtls: secure)
        guard let method = selection.method else {
            if case .unsupported(let reason) = selection {
                throw FirmwareUpdateError.unsupportedMethod(endpoint: endpoint, reason: reason)
            }
            throw FirmwareUpdateError.unsupportedMethod(endpoint: endpoint, reason: "no method")
        }
        let cancelResource = stored.objectLinks.contains { link in
            link.objectID == 5 && (link.version.flatMap(Double.init) ?? 1.0) >= 1.1
        }
        let file = images.fileURL(of: image)
        let now = clock()
        let lifetime = configuration.linkLifetime
        let maxAttempts = new.maxAttempts ?? configuration.maxAttempts
        let timeouts = configuration.timeouts
        let downloads = downloads
        let packageURI = packageURI
        let row: StoredFirmwareUpdate
        do {
            row = try await stores.firmware.insertFirmwareUpdate(endpoint: endpoint, firmwareID: image.id, at: now) {
                id in
                let update = FirmwareUpdate(
                    id: id, endpoint: endpoint, firmwareID: image.id, targetVersion: image.version, method: method,
                    totalBytes: image.size, versionBefore: versionBefore, maxAttempts: maxAttempts,
                    timeouts: timeouts, supportsCancelResource: cancelResource, at: now)
                guard method.isPull else {
                    // A push needs no link: the server writes the image itself.
                    let document = FirmwareUpdateDocument(
                        update: update, campaignID: campaignID, packageURI: nil,
                        pushSource: FirmwarePushSource.source(sha256: image.sha256),
                        pushToken: CoAPEndpoint.newToken())
                    return try document.stored(endpoint: endpoint, token: nil, expiresAt: nil)
                }
                let link = downloads.issue(for: image, file: file, updateID: id,
                                           expiresAt: now.addingTimeInterval(lifetime))
                let document = FirmwareUpdateDocument(
                    update: update, campaignID: campaignID, packageURI: packageURI(method, secure, link.token))
                return try document.stored(endpoint: endpoint, token: link.token, expiresAt: link.expiresAt)
            }
        } catch FirmwareStoreError.updateActive(let endpoint, let id) {
            throw FirmwareUpdateError.updateActive(endpoint: endpoint, updateID: id)
        }
        var document = try FirmwareUpdateDocument(row)
        document.campaignID = campaignID
        guard document.packageURI != nil || !method.isPull else {
            if let token = row.downloadToken { downloads.revoke(token) }
            throw FirmwareUpdateError.unsupportedMethod(
                endpoint: endpoint, reason: "the server does not serve \(method.rawValue) downloads")
        }
        active[row.id] = Active(document: document, token: row.downloadToken, expiresAt: row.downloadExpiresAt)
        byEndpoint[endpoint] = row.id
        logger.info("firmware update created", metadata: [
            "update": "\(row.id)", "endpoint": "\(endpoint)", "firmware": "\(image.id)", "version": "\(image.version)",
            "method": "\(method.rawValue)", "campaign": "\(campaignID.map(String.init) ?? "-")",
        ])
        Counter(label: "lwm2m_firmware_updates_started_total", dimensions: [("method", method.rawValue)]).increment()
        publish(document)
        await apply(.start, to: row.id)
        return FirmwareUpdateView(active[row.id]?.document ?? document)
    }

    /// Reads what `auto` chooses from, `/5/0/8` Protocol Support and `/5/0/9` Delivery Method, through the
    /// operation queue, when the device is reachable now; waits at most `announcementWait`. A device that does not
    /// have them (a 1.0 Object 5, 4.04) or does not answer in time announced nothing.
    private func readAnnouncement(endpoint: String, protocols: Bool, delivery: Bool) async
        -> (protocols: [Int], delivery: Int?)
    {
        let presence = dispatcher.presence(of: endpoint)
        guard presence == .online || presence == .awake else { return ([], nil) }
        let wait = configuration.announcementWait
        let (seconds, attoseconds) = wait.components
        let expiresAt = clock().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
        // Subscribed before the reads are queued, so that an answer faster than `enqueue` is not missed.
        let changes = dispatcher.changes()
        var queued: [Int64: FirmwareResource] = [:]
        for (resource, wanted) in [(FirmwareResource.protocolSupport, protocols), (.deliveryMethod, delivery)]
        where wanted {
            let operation = NewOperation(
                request: .device(.read(resource.lwm2mPath)), priority: 10, expiresAt: expiresAt, maxAttempts: 1)
            if let made = try? await dispatcher.enqueue(operation, for: [endpoint]).first {
                queued[made.id] = resource
            }
        }
        guard !queued.isEmpty else { return ([], nil) }
        let waiting = queued
        let answered = await withTaskGroup(of: [EndpointOperation]?.self) { group in
            group.addTask {
                var finished: [EndpointOperation] = []
                for await change in changes where waiting[change.id] != nil && change.status.isFinal {
                    finished.append(change)
                    if finished.count == waiting.count { break }
                }
                return finished
            }
            group.addTask {
                try? await Task.sleep(for: wait)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? []
        }
        var result: (protocols: [Int], delivery: Int?) = ([], nil)
        for operation in answered where operation.status == .succeeded {
            guard let node = operation.result?.node else { continue }
            if queued[operation.id] == .protocolSupport {
                result.protocols = Self.integers(in: node)
            } else {
                result.delivery = node.singleValue?.integerValue
            }
        }
        logger.info("firmware delivery announcement read", metadata: [
            "endpoint": "\(endpoint)", "protocolSupport": "\(result.protocols)",
            "deliveryMethod": "\(result.delivery.map(String.init) ?? "-")",
            "unanswered": "\(queued.count - answered.count)",
        ])
        return result
    }

    /// The integer values of a resource node: one, or one per resource instance (`/5/0/8` is multiple).
    static func integers(in node: LwM2MNode) -> [Int] {
        switch node {
        case .resource(let resource):
            if let value = resource.value?.integerValue { return [value] }
            return (resource.instances ?? [:]).sorted { $0.key < $1.key }.compactMap { $0.value.integerValue }
        case .resourceInstance(let instance): return instance.value.integerValue.map { [$0] } ?? []
        case .object, .objectInstance: return []
        }
    }

    /// Cancels update `id` (LwM2M 1.1 devices execute `/5/0/10`, others get an empty `/5/0/1`; an installing
    /// device cannot be stopped: the request is recorded).
    public func cancelUpdate(id: Int64) async throws -> FirmwareUpdateView {
        if active[id] != nil {
            await apply(.cancel, to: id)
        }
        guard let view = try await update(id: id) else { throw FirmwareUpdateError.updateNotFound(id) }
        return view
    }

    /// Update `id`, or `nil`.
    public func update(id: Int64) async throws -> FirmwareUpdateView? {
        if let entry = active[id] { return FirmwareUpdateView(entry.document) }
        guard let row = try await stores.firmware.firmwareUpdate(id: id) else { return nil }
        return try FirmwareUpdateView(FirmwareUpdateDocument(row))
    }

    /// The updates of `endpoint`, newest first.
    public func updates(endpoint: String) async throws -> [FirmwareUpdateView] {
        try await stores.firmware.firmwareUpdates(endpoint: endpoint).map { row in
            if let entry = active[row.id] { return FirmwareUpdateView(entry.document) }
            return try FirmwareUpdateView(FirmwareUpdateDocument(row))
        }
    }

    // MARK: - Campaigns

    /// Creates a campaign and starts its first devices.
    public func startCampaign(_ new: NewCampaign) async throws -> CampaignView {
        guard try await stores.firmware.firmware(id: new.firmwareID) != nil else {
            throw FirmwareUpdateError.unknownFirmware(new.firmwareID)
        }
        var targets: [String] = []
        var unknown: [String] = []
        for name in new.endpoints {
            if try await stores.endpoints.endpoint(named: name) == nil { unknown.append(name) } else { targets.append(name) }
        }
        guard unknown.isEmpty else { throw FirmwareUpdateError.unknownEndpoints(unknown) }
        if let pattern = new.pattern {
            targets += try await stores.endpoints.endpointNames(matching: GlobPattern(pattern)).sorted()
        }
        if let model = new.model {
            let all = try await stores.endpoints.endpoints(online: nil, namePrefix: nil, limit: nil, offset: 0)
            for endpoint in all.map(\.name).sorted() {
                let latest = try await stores.telemetry.latestValues(endpoint: endpoint) ?? []
                if latest.contains(where: { $0.path.description == "/3/0/1" && $0.value?.textValue == model }) {
                    targets.append(endpoint)
                }
            }
        }
        var seen = Set<String>()
        targets = targets.filter { seen.insert($0).inserted }
        guard !targets.isEmpty else { throw FirmwareUpdateError.noTargets }
        let now = clock()
        let row = try await stores.firmware.insertCampaign(firmwareID: new.firmwareID, at: now) { [targets] id in
            try Campaign(
                id: id, firmwareID: new.firmwareID, method: new.method, endpoints: targets,
                maxConcurrent: new.maxConcurrent, perMinute: new.perMinute, failureThreshold: new.failureThreshold,
                thresholdMinimum: new.thresholdMinimum, waves: new.waves, at: now
            ).stored()
        }
        let campaign = try Campaign(row)
        campaigns[campaign.id] = campaign
        logger.info("campaign created", metadata: [
            "campaign": "\(campaign.id)", "firmware": "\(new.firmwareID)", "devices": "\(targets.count)",
            "waves": "\(campaign.waveEnds)", "maxConcurrent": "\(campaign.maxConcurrent)",
            "failureThreshold": "\(campaign.failureThreshold)",
        ])
        publish(campaign)
        await advance(campaign: campaign.id)
        return CampaignView(campaigns[campaign.id] ?? campaign, withDevices: true)
    }

    /// Campaign `id` with its devices, or `nil`.
    public func campaign(id: Int64) async throws -> CampaignView? {
        if let campaign = campaigns[id] { return CampaignView(campaign, withDevices: true) }
        return try await stores.firmware.campaign(id: id).map { CampaignView(try Campaign($0), withDevices: true) }
    }

    /// Every campaign, newest first, without their devices.
    public func allCampaigns() async throws -> [CampaignView] {
        try await stores.firmware.campaigns().map { row in
            CampaignView(try campaigns[row.id] ?? Campaign(row), withDevices: false)
        }
    }

    /// Pauses a running campaign: no device is started; active updates go on.
    public func pauseCampaign(id: Int64) async throws -> CampaignView {
        try await changeCampaign(id, action: "pause") { campaign, now in campaign.pause(at: now) }
    }

    /// Resumes a paused campaign (acknowledging its failures so far).
    public func resumeCampaign(id: Int64) async throws -> CampaignView {
        let view = try await changeCampaign(id, action: "resume") { campaign, now in campaign.resume(at: now) }
        await advance(campaign: id)
        return try await campaign(id: id) ?? view
    }

    /// Cancels a campaign: pending devices are dropped, active updates cancelled.
    public func cancelCampaign(id: Int64) async throws -> CampaignView {
        var toCancel: [String] = []
        _ = try await changeCampaign(id, action: "cancel") { campaign, now in
            toCancel = campaign.cancel(at: now)
            return campaign.status == .cancelled
        }
        for endpoint in toCancel {
            if let updateID = byEndpoint[endpoint], active[updateID]?.document.campaignID == id {
                await apply(.cancel, to: updateID)
            }
        }
        guard let view = try await campaign(id: id) else { throw FirmwareUpdateError.campaignNotFound(id) }
        return view
    }

    private func changeCampaign(
        _ id: Int64, action: String, _ change: (inout Campaign, Date) -> Bool
    ) async throws -> CampaignView {
        guard var campaign = campaigns[id] else {
            guard let row = try await stores.firmware.campaign(id: id) else {
                throw FirmwareUpdateError.campaignNotFound(id)
            }
            throw FirmwareUpdateError.campaignStatus(id: id, status: row.status, action: action)
        }
        guard change(&campaign, clock()) else {
            throw FirmwareUpdateError.campaignStatus(id: id, status: campaign.status.rawValue, action: action)
        }
        campaigns[id] = campaign
        logger.info("campaign \(action)", metadata: ["campaign": "\(id)", "status": "\(campaign.status.rawValue)"])
        await save(campaign: id)
        return CampaignView(campaign, withDevices: true)
    }

    /// Starts the devices campaign `id` may start now (waves, concurrency, rate).
    private func advance(campaign id: Int64) async {
        guard var campaign = campaigns[id], campaign.status == .running else { return }
        let starts = campaign.next(at: clock())
        guard !starts.isEmpty else { return }
        campaigns[id] = campaign
        await save(campaign: id)
        for endpoint in starts {
            do {
                _ = try await startUpdate(
                    endpoint: endpoint, NewFirmwareUpdate(firmwareID: campaign.firmwareID, method: campaign.method),
                    campaignID: id)
            } catch {
                logger.warning("campaign device could not start", metadata: [
                    "campaign": "\(id)", "endpoint": "\(endpoint)", "error": "\(error)",
                ])
                campaignRecord(id, endpoint: endpoint, updateID: nil, state: .failed)
            }
        }
        await save(campaign: id)
    }

    /// Records a device's new state in its campaign; a final campaign leaves memory.
    private func campaignRecord(_ id: Int64, endpoint: String, updateID: Int64?, state: FirmwareUpdateState) {
        guard var campaign = campaigns[id] else { return }
        let before = campaign.status
        campaign.record(endpoint: endpoint, updateID: updateID, state: state, at: clock())
        campaigns[id] = campaign
        if campaign.status != before {
            logger.notice("campaign \(campaign.status.rawValue)", metadata: [
                "campaign": "\(id)", "reason": "\(campaign.history.last?.note ?? "")",
            ])
        }
    }

    private func save(campaign id: Int64) async {
        guard let campaign = campaigns[id] else { return }
        do {
            try await stores.firmware.saveCampaign(campaign.stored())
        } catch {
            logger.error("cannot store a campaign", metadata: ["campaign": "\(id)", "error": "\(error)"])
        }
        publish(campaign)
        if campaign.status.isFinal { campaigns.removeValue(forKey: id) }
    }

    // MARK: - Inputs

    /// An operation changed: a finished one answers the request it carried.
    public func operationChanged(_ operation: EndpointOperation) async {
        guard operation.status.isFinal else { return }
        guard let id = byOperation.removeValue(forKey: operation.id) else {
            if byEndpoint[operation.endpoint] != nil,
               operation.request.paths.contains(where: { $0.objectID == 5 || $0.description == "/3/0/3" })
            {
                orphans[operation.id] = (operation, clock())
            }
            return
        }
        await settle(operation, updateID: id)
    }

    /// A stored report: `/5/0/3` and `/5/0/5` values of an endpoint being updated.
    public func reported(_ report: DeviceReport) async {
        guard let id = byEndpoint[report.endpoint] else { return }
        // State before result, as a device changes them.
        for value in report.values.sorted(by: { $0.path.description < $1.path.description }) {
            guard let number = value.value.integerValue else { continue }
            switch value.path.description {
            case FirmwareResource.state.path: await apply(.deviceState(number), to: id)
            case FirmwareResource.updateResult.path: await apply(.updateResult(number), to: id)
            default: break
            }
        }
    }

    /// A registration event: a device that registers again (or updates its registration while installing)
    /// came back.
    public func registrationChanged(_ event: RegistrationEvent) async {
        switch event {
        case .registered(let registration, _):
            if let id = byEndpoint[registration.endpoint] {
                await apply(.deviceCameBack(firmwareVersion: nil, packageVersion: nil), to: id)
            }
        case .updated(let registration):
            if let id = byEndpoint[registration.endpoint],
               let state = active[id]?.document.update.state, state == .updating || state == .verifying
            {
                await apply(.deviceCameBack(firmwareVersion: nil, packageVersion: nil), to: id)
            }
        case .deregistered, .expired:
            break
        }
    }

    /// Time passed: deadlines, fallback reads, campaign starts.
    public func tick() async {
        let now = clock()
        for (id, entry) in active {
            if let due = entry.document.update.nextTickDue, due <= now { await apply(.tick, to: id) }
        }
        for id in campaigns.keys { await advance(campaign: id) }
        orphans = orphans.filter { now.timeIntervalSince($0.value.at) < 300 }
    }

    // MARK: - Restart

    /// Loads what a previous run left active: updates (with their download links and queued requests) and
    /// campaigns (reconciled with their updates), settles requests that finished meanwhile, and sends what each
    /// update's phase needs again (`FirmwareUpdate.resumeActions`).
    public func restore() async throws {
        for row in try await stores.firmware.activeFirmwareUpdates() {
            let document: FirmwareUpdateDocument
            do {
                document = try FirmwareUpdateDocument(row)
            } catch {
                logger.error("cannot read a stored firmware update; it stays as stored", metadata: [
                    "update": "\(row.id)", "error": "\(error)",
                ])
                continue
            }
            active[row.id] = Active(document: document, token: row.downloadToken, expiresAt: row.downloadExpiresAt)
            byEndpoint[row.endpoint] = row.id
            for pending in document.pending { byOperation[pending.operationID] = row.id }
            if let token = row.downloadToken, let expiresAt = row.downloadExpiresAt,
               let image = try await stores.firmware.firmware(id: row.firmwareID)
            {
                downloads.restore(FirmwareDownloads.Link(
                    token: token, image: image, file: images.fileURL(of: image), updateID: row.id,
                    expiresAt: expiresAt))
            }
        }
        for row in try await stores.firmware.campaigns() where row.status == CampaignStatus.running.rawValue
            || row.status == CampaignStatus.paused.rawValue
        {
            var campaign = try Campaign(row)
            let updates = try await stores.firmware.firmwareUpdates(campaignID: row.id)
            for update in updates {
                if let state = FirmwareUpdateState(rawValue: update.phase) {
                    campaign.record(endpoint: update.endpoint, updateID: update.id, state: state, at: clock())
                }
            }
            let requeued = campaign.requeueUnstarted(withUpdates: Set(updates.map(\.endpoint)), at: clock())
            if !requeued.isEmpty {
                logger.notice("campaign devices started but never created go back to pending", metadata: [
                    "campaign": "\(row.id)", "endpoints": "\(requeued.joined(separator: ","))",
                ])
            }
            campaigns[row.id] = campaign
            await save(campaign: row.id)
        }
        logger.info("firmware updates restored", metadata: [
            "updates": "\(active.count)", "campaigns": "\(campaigns.count)",
        ])
        for (id, entry) in active {
            for pending in entry.document.pending {
                if let found = try await stores.operations.operation(id: pending.operationID) {
                    if found.operation.status.isFinal {
                        byOperation.removeValue(forKey: pending.operationID)
                        await settle(found.operation, updateID: id)
                    }
                } else {
                    byOperation.removeValue(forKey: pending.operationID)
                    active[id]?.document.pending.removeAll { $0.operationID == pending.operationID }
                }
            }
            guard let update = active[id]?.document.update else { continue }
            if update.state == .scheduled {
                await apply(.start, to: id)
            } else {
                var actions = update.resumeActions(at: clock())
                // A part still queued goes on by itself; a second push would write the same bytes twice over.
                if active[id]?.document.pending.contains(where: \.request.isPush) == true {
                    actions.removeAll(where: \.isPush)
                }
                await perform(actions, for: id)
                await save(update: id)
            }
        }
    }

    // MARK: - Carrying out

    /// Feeds `event` to update `id`, carries out its requests, stores it, publishes a state change and tells its
    /// campaign. Everything that must follow the transition in order (the live event, the campaign's record, leaving
    /// the active set) happens before the first suspension: other events of the same update may run at every
    /// `await` (actor reentrancy), and they must see this transition complete.
    private func apply(_ event: FirmwareUpdateEvent, to id: Int64) async {
        guard var entry = active[id] else { return }
        let before = entry.document.update
        let actions = entry.document.update.handle(event, at: clock())
        let after = entry.document.update
        guard after != before || !actions.isEmpty else { return }
        active[id] = entry
        let changed = after.state != before.state
        if changed {
            logger.info("firmware update \(after.state.rawValue)", metadata: [
                "update": "\(id)", "endpoint": "\(after.endpoint)", "from": "\(before.state.rawValue)",
                "note": "\(after.history.last?.note ?? "")",
            ])
            Counter(label: "lwm2m_firmware_update_transitions_total", dimensions: [("state", after.state.rawValue)])
                .increment()
            publish(entry.document)
            if let campaignID = entry.document.campaignID {
                campaignRecord(campaignID, endpoint: after.endpoint, updateID: id, state: after.state)
            }
        }
        // A push part still queued when the update ends would write bytes nobody waits for: withdrawn below.
        let queuedParts = after.state.isFinal
            ? entry.document.pending.filter(\.request.isPush).map(\.operationID)
            : []
        if after.state.isFinal { finish(id) }
        for operation in queuedParts {
            // Before the update's last requests are queued, so a part not yet sending goes first (a sending one
            // finishes; the dispatcher refuses to cancel it).
            _ = try? await dispatcher.cancel(id: operation, by: "firmware update \(id) \(after.state.rawValue)")
        }
        await perform(actions, for: id)
        await save(update: id)
        if changed, let campaignID = entry.document.campaignID { await save(campaign: campaignID) }
        if after.state.isFinal {
            finished.removeValue(forKey: id)
            // A slot is free: the campaign starts its next device now rather than on the next tick.
            if let campaignID = entry.document.campaignID { await advance(campaign: campaignID) }
        }
    }

    /// Documents of updates that just ended, until their last save.
    private var finished: [Int64: FirmwareUpdateDocument] = [:]

    /// An update ended: its link is revoked and it leaves the active set (its last document is saved by the
    /// caller).
    private func finish(_ id: Int64) {
        guard let entry = active.removeValue(forKey: id) else { return }
        if let token = entry.token { downloads.revoke(token) }
        if byEndpoint[entry.document.update.endpoint] == id { byEndpoint.removeValue(forKey: entry.document.update.endpoint) }
        for pending in entry.document.pending { byOperation.removeValue(forKey: pending.operationID) }
        var document = entry.document
        document.pending = []
        finished[id] = document
        Counter(label: "lwm2m_firmware_updates_finished_total",
                dimensions: [("state", document.update.state.rawValue)]).increment()
        Gauge(label: "lwm2m_firmware_updates_active").record(active.count)
    }

    /// Queues the operations of `actions` for update `id`, in order.
    private func perform(_ actions: [FirmwareUpdateAction], for id: Int64) async {
        guard let document = active[id]?.document ?? finished[id] else { return }
        let endpoint = document.update.endpoint
        for action in actions {
            var action = action
            if case .observe(let resources) = action, let observations {
                let observed = Set(await observations.observations(endpoint: endpoint).flatMap(\.paths))
                let missing = resources.filter { !observed.contains($0.lwm2mPath) }
                guard !missing.isEmpty else { continue }
                action = .observe(missing)
            }
            if case .read(let resources) = action, resources.contains(.firmwareVersion) {
                let count = resources.filter { FirmwareResource.versions.contains($0) }.count
                if active[id] != nil {
                    var read = active[id]!.document.versionRead ?? .init(awaiting: 0)
                    read.awaiting += count
                    active[id]!.document.versionRead = read
                }
            }
            let total = document.update.totalBytes
            let partSize = configuration.pushPartSize, blockSize = configuration.pushBlockSize
            let parts = action.operations(packageURI: document.packageURI) { offset in
                document.pushSource.map { source in
                    BlockWrite(path: FirmwareResource.package.lwm2mPath, source: source, offset: offset,
                               length: min(partSize, max(0, total - offset)), total: total, blockSize: blockSize,
                               token: document.pushToken)
                }
            }
            if case .pushPackage = action, parts.isEmpty {
                if active[id] != nil {
                    await apply(.requestFailed(action, reason: "the update has no package to push", transient: false),
                                to: id)
                }
                continue
            }
            for (operation, resource) in parts {
                let queued: [EndpointOperation]
                do {
                    queued = try await dispatcher.enqueue(operation, for: [endpoint])
                } catch {
                    logger.error("cannot queue a firmware request", metadata: [
                        "update": "\(id)", "endpoint": "\(endpoint)", "request": "\(action)", "error": "\(error)",
                    ])
                    if active[id] != nil {
                        await apply(.requestFailed(action, reason: "cannot queue: \(error)", transient: false), to: id)
                    }
                    continue
                }
                for operation in queued {
                    guard active[id] != nil else { continue }
                    active[id]!.document.pending.append(
                        .init(operationID: operation.id, request: action, resource: resource))
                    byOperation[operation.id] = id
                    if let orphan = orphans.removeValue(forKey: operation.id) {
                        byOperation.removeValue(forKey: operation.id)
                        await settle(orphan.operation, updateID: id)
                    }
                }
            }
        }
    }

    /// A finished operation answers the request it carried.
    private func settle(_ operation: EndpointOperation, updateID id: Int64) async {
        guard let index = active[id]?.document.pending.firstIndex(where: { $0.operationID == operation.id }) else {
            return
        }
        let pending = active[id]!.document.pending.remove(at: index)
        let succeeded = operation.status == .succeeded
        // A device error carries its CoAP code; no answer at all (timeout, unreachable, expired) is transient.
        let transient = !succeeded && operation.result == nil
        let reason = operation.lastError ?? operation.result?.code ?? operation.status.rawValue
        if case .read = pending.request, let resource = pending.resource {
            let value = succeeded ? operation.result?.node?.singleValue : nil
            switch resource {
            case .state:
                if let number = value?.integerValue { await apply(.deviceState(number), to: id) }
            case .updateResult:
                if let number = value?.integerValue { await apply(.updateResult(number), to: id) }
            case .firmwareVersion, .packageVersion:
                guard active[id] != nil, var read = active[id]!.document.versionRead else { break }
                read.awaiting -= 1
                if resource == .firmwareVersion { read.firmwareVersion = value?.textValue ?? read.firmwareVersion }
                if resource == .packageVersion { read.packageVersion = value?.textValue ?? read.packageVersion }
                if read.awaiting > 0 {
                    active[id]!.document.versionRead = read
                } else {
                    active[id]!.document.versionRead = nil
                    await apply(.deviceCameBack(firmwareVersion: read.firmwareVersion,
                                                packageVersion: read.packageVersion), to: id)
                }
            default:
                break
            }
            if !succeeded {
                await apply(.requestFailed(pending.request, reason: reason, transient: transient), to: id)
            }
        } else if case .pushPackage = pending.request, case .blockWrite(let part) = operation.request {
            await settlePush(part, of: pending.request, succeeded: succeeded, code: operation.result?.code,
                             reason: reason, transient: transient, updateID: id)
        } else if succeeded {
            await apply(.requestSucceeded(pending.request), to: id)
        } else {
            await apply(.requestFailed(pending.request, reason: reason, transient: transient), to: id)
        }
        await save(update: id)
    }

    /// A part of a push finished: the next part is queued, or the last one completes the push. A device that
    /// lost the blocks before (4.08 Request Entity Incomplete, as after its own restart) gets the package again
    /// from the first byte.
    private func settlePush(
        _ part: BlockWrite, of request: FirmwareRequest, succeeded: Bool, code: String?, reason: String,
        transient: Bool, updateID id: Int64
    ) async {
        guard succeeded else {
            if code == CoAPCode.requestEntityIncomplete.description {
                await apply(.deliveryProgress(bytes: 0), to: id)
                await apply(.requestFailed(request, reason: "the device lost the transfer (\(reason))", transient: true),
                            to: id)
            } else {
                await apply(.requestFailed(request, reason: reason, transient: transient), to: id)
            }
            return
        }
        Counter(label: "lwm2m_firmware_bytes_served_total", dimensions: [("transport", "push")])
            .increment(by: Int(part.end - part.offset))
        guard part.end < part.total else {
            await apply(.requestSucceeded(request), to: id)
            return
        }
        await apply(.deliveryProgress(bytes: part.end), to: id)
        guard active[id]?.document.update.state == .delivering else { return }
        await perform([.pushPackage(resumeAt: part.end)], for: id)
    }

    private func save(update id: Int64) async {
        let entry: Active
        if let live = active[id] {
            entry = live
        } else if let document = finished[id] {
            entry = Active(document: document, token: nil, expiresAt: nil)
        } else {
            return
        }
        do {
            try await stores.firmware.saveFirmwareUpdate(
                entry.document.stored(endpoint: entry.document.update.endpoint, token: entry.token,
                                      expiresAt: entry.expiresAt))
        } catch {
            logger.error("cannot store a firmware update", metadata: ["update": "\(id)", "error": "\(error)"])
        }
    }

    private func publish(_ document: FirmwareUpdateDocument) {
        hub?.publish(LiveEvent(name: .firmware, endpoint: document.update.endpoint, time: document.update.updatedAt,
                               payload: .content(FirmwareUpdateView(document))))
        Gauge(label: "lwm2m_firmware_updates_active").record(active.count)
    }

    private func publish(_ campaign: Campaign) {
        hub?.publish(LiveEvent(name: .campaign, endpoint: "", time: campaign.updatedAt,
                               payload: .content(CampaignView(campaign, withDevices: false))))
    }
}
