import Foundation

/// Where one device of a campaign stands: `pending` (not started) or the state of its firmware update.
public enum CampaignDeviceState: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// Not started yet.
    case pending
    /// The update was created (`FirmwareUpdateState.scheduled`).
    case scheduled
    /// `FirmwareUpdateState.delivering`.
    case delivering
    /// `FirmwareUpdateState.downloaded`.
    case downloaded
    /// `FirmwareUpdateState.updating`.
    case updating
    /// `FirmwareUpdateState.verifying`.
    case verifying
    /// `FirmwareUpdateState.succeeded`.
    case succeeded
    /// `FirmwareUpdateState.failed`.
    case failed
    /// `FirmwareUpdateState.cancelled`, or dropped by a campaign cancel before it started.
    case cancelled

    /// The campaign state of a device whose update is in `state`.
    public init(_ state: FirmwareUpdateState) {
        switch state {
        case .scheduled: self = .scheduled
        case .delivering: self = .delivering
        case .downloaded: self = .downloaded
        case .updating: self = .updating
        case .verifying: self = .verifying
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .cancelled: self = .cancelled
        }
    }

    /// Whether the device is done (`succeeded`, `failed`, `cancelled`).
    public var isFinal: Bool { self == .succeeded || self == .failed || self == .cancelled }

    /// Whether the device's update was started and is not final yet.
    public var isActive: Bool { self != .pending && !isFinal }
}
