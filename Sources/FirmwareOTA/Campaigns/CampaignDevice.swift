import Foundation

/// One target device of a campaign.
public struct CampaignDevice: Sendable, Equatable, Hashable, Codable {
    /// The endpoint client name.
    public var endpoint: String
    /// Its firmware update, once the orchestrator created it.
    public var updateID: Int64?
    /// Where it stands.
    public var state: CampaignDeviceState
    /// When the campaign started it (the rate limit counts these).
    public var startedAt: Date?

    /// A device not started yet.
    public init(endpoint: String, updateID: Int64? = nil, state: CampaignDeviceState = .pending,
                startedAt: Date? = nil) {
        self.endpoint = endpoint
        self.updateID = updateID
        self.state = state
        self.startedAt = startedAt
    }
}
