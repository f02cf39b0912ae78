import Foundation
import GRDB

/// One row of `firmware_update` (v1; the document columns since v7).
struct FirmwareUpdateRecord: Codable, Sendable, Equatable, MutablePersistableRecord, EpochMillisecondRecord {
    static let databaseTableName = "firmware_update"

    var id: Int64?
    var endpointId: Int64
    var firmwareId: Int64
    var state: Int
    var result: Int
    var method: String
    var startedAt: Date
    var updatedAt: Date
    var phase: String
    var active: Bool
    var campaignId: Int64?
    var document: String?
    var downloadToken: String?
    var downloadExpiresAt: Date?

    /// The row of `update` for the endpoint with row id `endpointId`.
    init(_ update: StoredFirmwareUpdate, endpointId: Int64) {
        id = update.id > 0 ? update.id : nil
        self.endpointId = endpointId
        firmwareId = update.firmwareID
        state = update.deviceState
        result = update.resultCode
        method = update.method
        startedAt = update.createdAt
        updatedAt = update.updatedAt
        phase = update.phase
        active = update.isActive
        campaignId = update.campaignID
        document = String(decoding: update.document, as: UTF8.self)
        downloadToken = update.downloadToken
        downloadExpiresAt = update.downloadExpiresAt
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The domain value, with the endpoint's name.
    func update(endpoint: String) -> StoredFirmwareUpdate {
        StoredFirmwareUpdate(
            id: id ?? 0, endpoint: endpoint, firmwareID: firmwareId, campaignID: campaignId, phase: phase,
            isActive: active, method: method, deviceState: state, resultCode: result,
            document: Data((document ?? "").utf8), downloadToken: downloadToken,
            downloadExpiresAt: downloadExpiresAt, createdAt: startedAt, updatedAt: updatedAt)
    }
}

/// One row of `firmware_campaign` (v7).
struct CampaignRecord: Codable, Sendable, Equatable, MutablePersistableRecord, EpochMillisecondRecord {
    static let databaseTableName = "firmware_campaign"

    var id: Int64?
    var firmwareId: Int64
    var status: String
    var document: String
    var createdAt: Date
    var updatedAt: Date

    init(_ campaign: StoredCampaign) {
        id = campaign.id > 0 ? campaign.id : nil
        firmwareId = campaign.firmwareID
        status = campaign.status
        document = String(decoding: campaign.document, as: UTF8.self)
        createdAt = campaign.createdAt
        updatedAt = campaign.updatedAt
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    var campaign: StoredCampaign {
        StoredCampaign(id: id ?? 0, firmwareID: firmwareId, status: status, document: Data(document.utf8),
                       createdAt: createdAt, updatedAt: updatedAt)
    }
}
