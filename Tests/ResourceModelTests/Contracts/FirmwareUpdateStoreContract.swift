import Foundation
import Testing

@testable import ResourceModel

/// The `FirmwareStore` contract for updates and campaigns, for every backend in `storeFactories`.
@Suite("FirmwareStore contract: updates and campaigns")
struct FirmwareUpdateStoreContract {
    static func update(_ id: Int64, phase: String = "delivering", active: Bool = true, campaign: Int64? = nil,
                       at time: Date = t0) -> StoredFirmwareUpdate {
        StoredFirmwareUpdate(
            id: id, endpoint: "", firmwareID: 0, campaignID: campaign, phase: phase, isActive: active,
            method: "coap-pull", deviceState: 1, resultCode: 0, document: Data(#"{"id":\#(id)}"#.utf8),
            downloadToken: "tok-\(id)", downloadExpiresAt: time.addingTimeInterval(3600), createdAt: time,
            updatedAt: time)
    }

    @Test("an update round-trips with the id it was made with; one active update per endpoint",
          arguments: storeFactories)
    func oneActive(_ factory: StoreFactory) async throws {
        let stores = try factory.make()
        try await stores.register(["dev-1", "dev-2"])
        let store = stores.firmware
        let image = try await store.addFirmware(FirmwareStoreContract.image("1.0"), at: t0).image
        let first = try await store.insertFirmwareUpdate(endpoint: "dev-1", firmwareID: image.id, at: t0) { id in
            Self.update(id)
        }
        #expect(first.id > 0)
        #expect(first.endpoint == "dev-1" && first.firmwareID == image.id)
        #expect(first.document == Data(#"{"id":\#(first.id)}"#.utf8))
        #expect(first.downloadToken == "tok-\(first.id)")
        #expect(try await store.firmwareUpdate(id: first.id) == first)
        await #expect(throws: FirmwareStoreError.updateActive(endpoint: "dev-1", updateID: first.id)) {
            try await store.insertFirmwareUpdate(endpoint: "dev-1", firmwareID: image.id, at: t0) { Self.update($0) }
        }
        // Another endpoint is independent; an inactive update beside an active one is fine.
        _ = try await store.insertFirmwareUpdate(endpoint: "dev-2", firmwareID: image.id, at: t0) { Self.update($0) }
        _ = try await store.insertFirmwareUpdate(endpoint: "dev-1", firmwareID: image.id, at: t0) {
            Self.update($0, phase: "failed", active: false)
        }
        #expect(try await store.activeFirmwareUpdates().map(\.endpoint) == ["dev-1", "dev-2"])
        #expect(try await store.firmwareUpdates(endpoint: "dev-1").map(\.isActive) == [false, true])

        // Finishing the active one frees the endpoint.
        var done = first
        done.phase = "succeeded"
        done.isActive = false
        done.downloadToken = nil
        done.document = Data(#"{"done":true}"#.utf8)
        done.updatedAt = t0.addingTimeInterval(60)
        try await store.saveFirmwareUpdate(done)
        #expect(try await store.firmwareUpdate(id: first.id) == done)
        _ = try await store.insertFirmwareUpdate(endpoint: "dev-1", firmwareID: image.id, at: t0) { Self.update($0) }
        #expect(try await store.activeFirmwareUpdates().count == 2)
    }

    @Test("unknown endpoints, images and ids are refused", arguments: storeFactories)
    func unknown(_ factory: StoreFactory) async throws {
        let stores = try factory.make()
        try await stores.register(["dev-1"])
        let store = stores.firmware
        let image = try await store.addFirmware(FirmwareStoreContract.image("1.0"), at: t0).image
        await #expect(throws: FirmwareStoreError.unknownEndpoint("nobody")) {
            try await store.insertFirmwareUpdate(endpoint: "nobody", firmwareID: image.id, at: t0) { Self.update($0) }
        }
        await #expect(throws: FirmwareStoreError.unknownFirmware(image.id + 1)) {
            try await store.insertFirmwareUpdate(endpoint: "dev-1", firmwareID: image.id + 1, at: t0) {
                Self.update($0)
            }
        }
        await #expect(throws: FirmwareStoreError.notFound(77)) { try await store.saveFirmwareUpdate(Self.update(77)) }
        await #expect(throws: FirmwareStoreError.unknownFirmware(image.id + 1)) {
            try await store.insertCampaign(firmwareID: image.id + 1, at: t0) { id in
                StoredCampaign(id: id, firmwareID: 0, status: "running", document: Data(), createdAt: t0,
                               updatedAt: t0)
            }
        }
        #expect(try await store.firmwareUpdate(id: 1) == nil)
        #expect(try await store.campaign(id: 1) == nil)
    }

    @Test("campaigns round-trip, list newest first, find their updates, and keep their image",
          arguments: storeFactories)
    func campaigns(_ factory: StoreFactory) async throws {
        let stores = try factory.make()
        try await stores.register(["dev-1", "dev-2"])
        let store = stores.firmware
        let image = try await store.addFirmware(FirmwareStoreContract.image("1.0"), at: t0).image
        @Sendable func make(_ id: Int64) -> StoredCampaign {
            StoredCampaign(id: id, firmwareID: image.id, status: "running", document: Data(#"{"c":\#(id)}"#.utf8),
                           createdAt: t0, updatedAt: t0)
        }
        let first = try await store.insertCampaign(firmwareID: image.id, at: t0) { make($0) }
        let second = try await store.insertCampaign(firmwareID: image.id, at: t0) { make($0) }
        #expect(first.document == Data(#"{"c":\#(first.id)}"#.utf8))
        #expect(try await store.campaigns().map(\.id) == [second.id, first.id])
        var paused = first
        paused.status = "paused"
        paused.document = Data("{}".utf8)
        paused.updatedAt = t0.addingTimeInterval(9)
        try await store.saveCampaign(paused)
        #expect(try await store.campaign(id: first.id) == paused)

        let a = try await store.insertFirmwareUpdate(endpoint: "dev-2", firmwareID: image.id, at: t0) {
            Self.update($0, campaign: first.id)
        }
        let b = try await store.insertFirmwareUpdate(endpoint: "dev-1", firmwareID: image.id, at: t0) {
            Self.update($0, campaign: first.id)
        }
        #expect(try await store.firmwareUpdates(campaignID: first.id).map(\.id) == [a.id, b.id])
        #expect(try await store.firmwareUpdates(campaignID: second.id).isEmpty)
        await #expect(throws: FirmwareStoreError.inUse(id: image.id, updates: 2, campaigns: 2)) {
            try await store.removeFirmware(id: image.id)
        }
    }
}
