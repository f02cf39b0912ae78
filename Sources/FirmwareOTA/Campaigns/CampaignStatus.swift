import Foundation

/// Where a firmware campaign stands.
public enum CampaignStatus: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// Devices are started as waves, concurrency and rate allow.
    case running
    /// No device is started (an operator paused it, or too many devices failed); active updates go on.
    case paused
    /// Every device's update is final.
    case completed
    /// An operator cancelled it: pending devices were dropped, active updates are being cancelled.
    case cancelled

    /// Whether the status can no longer change (`completed`, `cancelled`).
    public var isFinal: Bool { self == .completed || self == .cancelled }
}
