import Foundation
import GRDB

/// Firmware updates (`firmware_update`) and campaigns (`firmware_campaign`), the rest of the `FirmwareStore`.
extension AppDatabase {
    public func insertFirmwareUpdate(
        endpoint: String, firmwareID: Int64, at now: Date,
        _ make: @Sendable (Int64) throws -> StoredFirmwareUpdate
    ) async throws -> StoredFirmwareUpdate {
        try await writer.write { db in
            guard let endpointId = try Self.endpointRowID(db, name: endpoint) else {
                throw FirmwareStoreError.unknownEndpoint(endpoint)
            }
            guard try FirmwareRecord.exists(db, key: firmwareID) else {
                throw FirmwareStoreError.unknownFirmware(firmwareID)
            }
            // A placeholder row gives the id the document needs; both are written in this one transaction.
            var record = FirmwareUpdateRecord(
                StoredFirmwareUpdate(
                    id: 0, endpoint: endpoint, firmwareID: firmwareID, campaignID: nil, phase: "scheduled",
                    isActive: false, method: "", deviceState: 0, resultCode: 0, document: Data(), downloadToken: nil,
                    downloadExpiresAt: nil, createdAt: now, updatedAt: now),
                endpointId: endpointId)
            try record.insert(db)
            var update = try make(record.id!)
            update.id = record.id!
            update.endpoint = endpoint
            update.firmwareID = firmwareID
            if update.isActive { try Self.requireNoOtherActive(db, endpointId: endpointId, endpoint: endpoint, except: update.id) }
            let row = FirmwareUpdateRecord(update, endpointId: endpointId)
            try row.update(db)
            return try Self.fetchUpdates(db, where: "u.id = ?", arguments: [update.id]).first ?? update
        }
    }

    public func saveFirmwareUpdate(_ update: StoredFirmwareUpdate) async throws {
        try await writer.write { db in
            guard var record = try FirmwareUpdateRecord.fetchOne(db, key: update.id) else {
                throw FirmwareStoreError.notFound(update.id)
            }
            if update.isActive {
                try Self.requireNoOtherActive(db, endpointId: record.endpointId, endpoint: update.endpoint,
                                              except: update.id)
            }
            record.phase = update.phase
            record.active = update.isActive
            record.method = update.method
            record.state = update.deviceState
            record.result = update.resultCode
            record.document = String(decoding: update.document, as: UTF8.self)
            record.downloadToken = update.downloadToken
            record.downloadExpiresAt = update.downloadExpiresAt
            record.updatedAt = update.updatedAt
            try record.update(db)
        }
    }

    public func firmwareUpdate(id: Int64) async throws -> StoredFirmwareUpdate? {
        try await writer.read { db in try Self.fetchUpdates(db, where: "u.id = ?", arguments: [id]).first }
    }

    public func firmwareUpdates(endpoint: String) async throws -> [StoredFirmwareUpdate] {
        try await writer.read { db in
            try Self.fetchUpdates(db, where: "e.name = ?", arguments: [endpoint], order: "u.id DESC")
        }
    }

    public func firmwareUpdates(campaignID: Int64) async throws -> [StoredFirmwareUpdate] {
        try await writer.read { db in
            try Self.fetchUpdates(db, where: "u.campaignId = ?", arguments: [campaignID], order: "u.id")
        }
    }

    public func activeFirmwareUpdates() async throws -> [StoredFirmwareUpdate] {
        try await writer.read { db in try Self.fetchUpdates(db, where: "u.active", arguments: [], order: "u.id") }
    }

    public func insertCampaign(
        firmwareID: Int64, at now: Date, _ make: @Sendable (Int64) throws -> StoredCampaign
    ) async throws -> StoredCampaign {
        try await writer.write { db in
            guard try FirmwareRecord.exists(db, key: firmwareID) else {
                throw FirmwareStoreError.unknownFirmware(firmwareID)
            }
            var record = CampaignRecord(StoredCampaign(
                id: 0, firmwareID: firmwareID, status: "running", document: Data("{}".utf8), createdAt: now,
                updatedAt: now))
            try record.insert(db)
            var campaign = try make(record.id!)
            campaign.id = record.id!
            campaign.firmwareID = firmwareID
            let row = CampaignRecord(campaign)
            try row.update(db)
            return try CampaignRecord.fetchOne(db, key: campaign.id)?.campaign ?? campaign
        }
    }

    public func saveCampaign(_ campaign: StoredCampaign) async throws {
        try await writer.write { db in
            guard var record = try CampaignRecord.fetchOne(db, key: campaign.id) else {
                throw FirmwareStoreError.notFound(campaign.id)
            }
            record.status = campaign.status
            record.document = String(decoding: campaign.document, as: UTF8.self)
            record.updatedAt = campaign.updatedAt
            try record.update(db)
        }
    }

    public func campaign(id: Int64) async throws -> StoredCampaign? {
        try await writer.read { db in try CampaignRecord.fetchOne(db, key: id)?.campaign }
    }

    public func campaigns() async throws -> [StoredCampaign] {
        try await writer.read { db in
            try CampaignRecord.order(Column("id").desc).fetchAll(db).map(\.campaign)
        }
    }

    // MARK: - Private

    private static func endpointRowID(_ db: Database, name: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM endpoint WHERE name = ?", arguments: [name])
    }

    private static func requireNoOtherActive(_ db: Database, endpointId: Int64, endpoint: String, except id: Int64)
        throws
    {
        if let other = try Int64.fetchOne(
            db, sql: "SELECT id FROM firmware_update WHERE endpointId = ? AND active AND id != ?",
            arguments: [endpointId, id])
        {
            throw FirmwareStoreError.updateActive(endpoint: endpoint, updateID: other)
        }
    }

    private static func fetchUpdates(
        _ db: Database, where condition: String, arguments: StatementArguments, order: String = "u.id"
    ) throws -> [StoredFirmwareUpdate] {
        let rows = try Row.fetchAll(
            db, sql: "SELECT u.*, e.name AS endpointName FROM firmware_update u JOIN endpoint e ON e.id = u.endpointId "
                + "WHERE \(condition) ORDER BY \(order)",
            arguments: arguments)
        return try rows.map { row in
            try FirmwareUpdateRecord(row: row).update(endpoint: row["endpointName"])
        }
    }
}
