import Foundation

/// Why the firmware store refused a change.
public enum FirmwareStoreError: Error, Equatable, Sendable {
    /// The name and version are taken by an image with other content.
    case versionTaken(FirmwareImage)
    /// Firmware updates or campaigns refer to the image (`updates` and `campaigns` of them); it stays.
    case inUse(id: Int64, updates: Int, campaigns: Int = 0)
    /// The endpoint has an active update already (`updateID`); one at a time.
    case updateActive(endpoint: String, updateID: Int64)
    /// No endpoint of this name is stored.
    case unknownEndpoint(String)
    /// No image with this id is stored.
    case unknownFirmware(Int64)
    /// No update or campaign with this id is stored.
    case notFound(Int64)
}

/// The firmware module's store: uploaded images, the updates of endpoints (`firmware_update`) and fleet
/// campaigns (`firmware_campaign`). Updates and campaigns are documents the module owns, with the columns the store
/// queries and constrains beside them.
public protocol FirmwareStore: Sendable {
    /// Records an image whose file is in place. The same name, version and content again is the existing image
    /// (`created` false); the same name and version with other content throws `FirmwareStoreError.versionTaken`.
    /// `id` and `createdAt` of `image` are ignored (the store gives them).
    func addFirmware(_ image: FirmwareImage, at now: Date) async throws -> (image: FirmwareImage, created: Bool)

    /// The image with `id`, or `nil`.
    func firmware(id: Int64) async throws -> FirmwareImage?

    /// Every image, newest first.
    func allFirmware() async throws -> [FirmwareImage]

    /// Removes the image with `id` and says whether another image still uses its file; `nil` when there is no
    /// such image. Throws `FirmwareStoreError.inUse` (and removes nothing) while a firmware update or a campaign refers
    /// to it.
    func removeFirmware(id: Int64) async throws -> (image: FirmwareImage, fileShared: Bool)?

    /// How many images use the content with this SHA-256.
    func firmwareCount(sha256: String) async throws -> Int

    // MARK: - Updates

    /// Inserts a new update: `make` gets the new id and returns the value to store (its `id` is ignored). Throws
    /// `updateActive` when `endpoint` has an active update and the new one is active, `unknownEndpoint`,
    /// `unknownFirmware`.
    func insertFirmwareUpdate(
        endpoint: String, firmwareID: Int64, at now: Date,
        _ make: @Sendable (Int64) throws -> StoredFirmwareUpdate
    ) async throws -> StoredFirmwareUpdate

    /// Replaces the stored update with `update.id` (everything but endpoint, firmware, campaign and creation).
    /// Throws `notFound`, or `updateActive` when it would make a second active update of its endpoint.
    func saveFirmwareUpdate(_ update: StoredFirmwareUpdate) async throws

    /// The update with `id`, or `nil`.
    func firmwareUpdate(id: Int64) async throws -> StoredFirmwareUpdate?

    /// The updates of `endpoint`, newest first.
    func firmwareUpdates(endpoint: String) async throws -> [StoredFirmwareUpdate]

    /// The updates a campaign started, oldest first.
    func firmwareUpdates(campaignID: Int64) async throws -> [StoredFirmwareUpdate]

    /// Every active update, oldest first (what a restarted server continues).
    func activeFirmwareUpdates() async throws -> [StoredFirmwareUpdate]

    // MARK: - Campaigns

    /// Inserts a new campaign: `make` gets the new id and returns the value to store. Throws `unknownFirmware`.
    func insertCampaign(firmwareID: Int64, at now: Date, _ make: @Sendable (Int64) throws -> StoredCampaign)
        async throws -> StoredCampaign

    /// Replaces the stored campaign with `campaign.id` (status, document, last change). Throws `notFound`.
    func saveCampaign(_ campaign: StoredCampaign) async throws

    /// The campaign with `id`, or `nil`.
    func campaign(id: Int64) async throws -> StoredCampaign?

    /// Every campaign, newest first.
    func campaigns() async throws -> [StoredCampaign]
}
