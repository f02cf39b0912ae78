import Foundation

/// Where one device of a campaign stands: `pending` (not started) or the state of its firmware update. Its raw
/// value (stored, and the keys of a campaign's `counts`) is `pending` or the `FirmwareUpdateState` raw value.
public enum CampaignDeviceState: Sendable, Equatable, Hashable {
    /// Not started yet.
    case pending
    /// Its update is in this state; `cancelled` also for a device dropped by a campaign cancel before it started.
    case update(FirmwareUpdateState)

    /// The update was created.
    public static let scheduled = CampaignDeviceState.update(.scheduled)
    /// The device has the target version.
    public static let succeeded = CampaignDeviceState.update(.succeeded)
    /// The update failed.
    public static let failed = CampaignDeviceState.update(.failed)
    /// The update was cancelled, or the device dropped before it started.
    public static let cancelled = CampaignDeviceState.update(.cancelled)

    /// The campaign state of a device whose update is in `state`.
    public init(_ state: FirmwareUpdateState) { self = .update(state) }

    /// Whether the device is done (`succeeded`, `failed`, `cancelled`).
    public var isFinal: Bool {
        if case .update(let state) = self { state.isFinal } else { false }
    }

    /// Whether the device's update was started and is not final yet.
    public var isActive: Bool { self != .pending && !isFinal }
}

extension CampaignDeviceState: RawRepresentable, Codable, CaseIterable {
    public init?(rawValue: String) {
        if rawValue == "pending" {
            self = .pending
        } else if let state = FirmwareUpdateState(rawValue: rawValue) {
            self = .update(state)
        } else {
            return nil
        }
    }

    public var rawValue: String {
        switch self {
        case .pending: "pending"
        case .update(let state): state.rawValue
        }
    }

    /// `pending`, then every update state in order.
    public static var allCases: [CampaignDeviceState] { [.pending] + FirmwareUpdateState.allCases.map(Self.update) }
}
