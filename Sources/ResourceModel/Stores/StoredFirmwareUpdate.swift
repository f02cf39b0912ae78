import Foundation

/// One firmware update of one endpoint as the store keeps it (`firmware_update`): the columns the store queries
/// and constrains (at most one active update per endpoint), and the whole update as a document the firmware
/// module owns (its `FirmwareUpdate` state machine, JSON). The store never looks inside `document`.
public struct StoredFirmwareUpdate: Sendable, Equatable {
    /// The store's id.
    public var id: Int64
    /// The endpoint client name.
    public var endpoint: String
    /// The image installed.
    public var firmwareID: Int64
    /// The campaign that started it, if any.
    public var campaignID: Int64?
    /// The server-side phase (`FirmwareUpdateState` raw value: `scheduled` ... `cancelled`).
    public var phase: String
    /// Whether the update is not final; the store refuses a second active update of one endpoint.
    public var isActive: Bool
    /// The delivery method (`coap-pull`, `http-pull`, `push`).
    public var method: String
    /// The last `/5/0/3` State seen (0 until one is).
    public var deviceState: Int
    /// The last `/5/0/5` Update Result seen (0 until one is).
    public var resultCode: Int
    /// The firmware module's document (the state machine, encoded).
    public var document: Data
    /// The download link's token while the update has one.
    public var downloadToken: String?
    /// When the download link expires.
    public var downloadExpiresAt: Date?
    /// When the update was created.
    public var createdAt: Date
    /// Its last change.
    public var updatedAt: Date

    /// Creates a value.
    public init(
        id: Int64, endpoint: String, firmwareID: Int64, campaignID: Int64?, phase: String, isActive: Bool,
        method: String, deviceState: Int, resultCode: Int, document: Data, downloadToken: String?,
        downloadExpiresAt: Date?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.endpoint = endpoint
        self.firmwareID = firmwareID
        self.campaignID = campaignID
        self.phase = phase
        self.isActive = isActive
        self.method = method
        self.deviceState = deviceState
        self.resultCode = resultCode
        self.document = document
        self.downloadToken = downloadToken
        self.downloadExpiresAt = downloadExpiresAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A firmware campaign as the store keeps it (`firmware_campaign`): its status for queries and the firmware
/// module's document (the `Campaign` state machine, JSON).
public struct StoredCampaign: Sendable, Equatable {
    /// The store's id.
    public var id: Int64
    /// The image rolled out.
    public var firmwareID: Int64
    /// `running`, `paused`, `completed` or `cancelled`.
    public var status: String
    /// The firmware module's document.
    public var document: Data
    /// When it was created.
    public var createdAt: Date
    /// Its last change.
    public var updatedAt: Date

    /// Creates a value.
    public init(id: Int64, firmwareID: Int64, status: String, document: Data, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.firmwareID = firmwareID
        self.status = status
        self.document = document
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
