import Foundation
import ResourceModel

/// What the store keeps of one firmware update (`firmware_update.document`): the state machine, and what the
/// orchestrator needs to go on after a restart — the device requests still in the operation queue and a
/// verification read half answered.
struct FirmwareUpdateDocument: Codable, Sendable, Equatable {
    /// One device request queued as an operation, not finished yet.
    struct Pending: Codable, Sendable, Equatable {
        /// The operation's id in the queue.
        var operationID: Int64
        /// The state machine's request it carries.
        var request: FirmwareRequest
        /// For a read, the one resource this operation reads.
        var resource: FirmwareResource?
    }

    /// The versions read to verify an update (`read(FirmwareResource.versions)`), as they arrive.
    struct VersionRead: Codable, Sendable, Equatable {
        var awaiting: Int
        var firmwareVersion: String?
        var packageVersion: String?
    }

    var update: FirmwareUpdate
    var campaignID: Int64?
    var pending: [Pending] = []
    var versionRead: VersionRead?
    /// The URI written to `/5/0/1` (pull).
    var packageURI: String?
    /// Where a push reads the package (`firmware:<sha256>`, `FirmwarePushSource`).
    var pushSource: String?
    /// The CoAP token of every block of a push, in hex: one per update, kept across parts, retries and restarts
    /// (devices find a Block1 transfer by its token).
    var pushToken: [UInt8]?

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()

    /// The stored row of this document (`token` and `expiresAt`: the download link's).
    func stored(endpoint: String, token: String?, expiresAt: Date?) throws -> StoredFirmwareUpdate {
        StoredFirmwareUpdate(
            id: update.id, endpoint: endpoint, firmwareID: update.firmwareID, campaignID: campaignID,
            phase: update.state.rawValue, isActive: !update.state.isFinal, method: update.method.rawValue,
            deviceState: update.deviceState ?? 0, resultCode: update.resultCode ?? 0,
            document: try Self.encoder.encode(self), downloadToken: token, downloadExpiresAt: expiresAt,
            createdAt: update.createdAt, updatedAt: update.updatedAt)
    }

    /// The document of a stored row.
    init(_ stored: StoredFirmwareUpdate) throws {
        self = try Self.decoder.decode(Self.self, from: stored.document)
    }

    init(update: FirmwareUpdate, campaignID: Int64?, packageURI: String?, pushSource: String? = nil,
         pushToken: [UInt8]? = nil) {
        self.update = update
        self.campaignID = campaignID
        self.packageURI = packageURI
        self.pushSource = pushSource
        self.pushToken = pushToken
    }
}

extension Campaign {
    /// The stored row of this campaign.
    func stored() throws -> StoredCampaign {
        StoredCampaign(
            id: id, firmwareID: firmwareID, status: status.rawValue,
            document: try FirmwareUpdateDocument.encoder.encode(self), createdAt: createdAt, updatedAt: updatedAt)
    }

    /// The campaign of a stored row.
    init(_ stored: StoredCampaign) throws {
        self = try FirmwareUpdateDocument.decoder.decode(Campaign.self, from: stored.document)
    }
}
