import Foundation
import ResourceModel

/// One recorded change of an update's state or a campaign's status, as the views show it.
public struct TransitionView: Sendable, Equatable, Encodable {
    public var from: String
    public var to: String
    public var at: Date
    public var note: String
}

/// One firmware update as the REST API and the live stream (`FIRMWARE`, member `update`) show it:
/// `GET /api/v1/endpoints/{ep}/firmware-updates`, `GET /api/v1/firmware-updates/{id}`.
public struct FirmwareUpdateView: Sendable, Equatable, Encodable, LiveEventContent {

    /// The meaning of the last `/5/0/5` Update Result.
    public struct Result: Sendable, Equatable, Encodable {
        public var code: Int
        public var name: String
        public var reason: String
    }

    public var id: Int64
    public var endpoint: String
    public var firmwareId: Int64
    public var campaignId: Int64?
    /// `scheduled`, `delivering`, `downloaded`, `updating`, `verifying`, `succeeded`, `failed`, `cancelled`.
    public var state: String
    public var active: Bool
    /// `coap-pull`, `http-pull` or `push`.
    public var method: String
    public var targetVersion: String
    public var versionBefore: String?
    public var versionAfter: String?
    public var bytesDelivered: Int64
    public var totalBytes: Int64
    public var attempts: Int
    public var maxAttempts: Int
    public var lastError: String?
    /// The last `/5/0/3` State seen.
    public var deviceState: Int?
    /// The last `/5/0/5` Update Result seen, with its meaning.
    public var result: Result?
    /// The URI written to `/5/0/1` (pull), without its token.
    public var packageURI: String?
    public var cancelRequested: Bool
    public var deadline: Date?
    public var createdAt: Date
    public var updatedAt: Date
    /// Every transition, oldest first.
    public var history: [TransitionView]

    public var key: String { "update" }

    init(_ document: FirmwareUpdateDocument) {
        let update = document.update
        id = update.id
        endpoint = update.endpoint
        firmwareId = update.firmwareID
        campaignId = document.campaignID
        state = update.state.rawValue
        active = !update.state.isFinal
        method = update.method.rawValue
        targetVersion = update.targetVersion
        versionBefore = update.versionBefore
        versionAfter = update.versionAfter
        bytesDelivered = update.bytesDelivered
        totalBytes = update.totalBytes
        attempts = update.attempts
        maxAttempts = update.maxAttempts
        lastError = update.lastError
        deviceState = update.deviceState
        result = update.resultCode.map { code in
            let meaning = FirmwareResult(code: code)
            return Result(code: code, name: meaning.name, reason: meaning.reason)
        }
        // The token is the download's only credential: the view names where, not how.
        packageURI = document.packageURI.map { uri in
            guard let slash = uri.range(of: "/\(FirmwareDownloads.pathSegment)/", options: .backwards) else {
                return uri
            }
            return String(uri[..<slash.upperBound]) + "…"
        }
        cancelRequested = update.cancelRequested
        deadline = update.deadline
        createdAt = update.createdAt
        updatedAt = update.updatedAt
        history = update.history.map {
            TransitionView(from: $0.from.rawValue, to: $0.to.rawValue, at: $0.at, note: $0.note)
        }
    }
}

/// One campaign as the REST API and the live stream (`CAMPAIGN`, member `campaign`) show it.
public struct CampaignView: Sendable, Equatable, Encodable, LiveEventContent {
    /// One target device.
    public struct Device: Sendable, Equatable, Encodable {
        public var endpoint: String
        public var updateId: Int64?
        public var state: String
    }

    public var id: Int64
    public var firmwareId: Int64
    public var method: String
    /// `running`, `paused`, `completed` or `cancelled`.
    public var status: String
    public var pauseReason: String?
    public var maxConcurrent: Int
    public var perMinute: Int?
    public var failureThreshold: Double
    public var thresholdMinimum: Int
    public var waves: [Double]
    /// The wave open now (0-based) and how many there are.
    public var currentWave: Int
    public var waveCount: Int
    /// Devices per state: `pending`, `scheduled`, ..., `succeeded`, `failed`, `cancelled`.
    public var counts: [String: Int]
    public var total: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var history: [TransitionView]
    /// Every device and its state (left out of the live stream's CAMPAIGN events, which carry the counts).
    public var devices: [Device]?

    public var key: String { "campaign" }

    init(_ campaign: Campaign, withDevices: Bool) {
        id = campaign.id
        firmwareId = campaign.firmwareID
        method = campaign.method.rawValue
        status = campaign.status.rawValue
        pauseReason = campaign.pauseReason
        maxConcurrent = campaign.maxConcurrent
        perMinute = campaign.perMinute
        failureThreshold = campaign.failureThreshold
        thresholdMinimum = campaign.thresholdMinimum
        waves = campaign.waves
        currentWave = campaign.currentWave
        waveCount = campaign.waveEnds.count
        counts = campaign.counts
        total = campaign.devices.count
        createdAt = campaign.createdAt
        updatedAt = campaign.updatedAt
        history = campaign.history.map {
            TransitionView(from: $0.from.rawValue, to: $0.to.rawValue, at: $0.at, note: $0.note)
        }
        devices = withDevices
            ? campaign.devices.map { Device(endpoint: $0.endpoint, updateId: $0.updateID, state: $0.state.rawValue) }
            : nil
    }
}
