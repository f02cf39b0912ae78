import Foundation

/// How long each phase of a firmware update may last, and when an overdue change of `/5/0/3` is read instead of
/// waiting for its notification.
public struct FirmwareUpdateTimeouts: Sendable, Equatable, Hashable, Codable {
    /// The longest delivery: from `start` (or a retry) until the device reports Downloaded (2).
    public var delivering: TimeInterval
    /// The longest wait in `downloaded` for the device to accept Update `/5/0/2` or report Updating (3).
    public var downloaded: TimeInterval
    /// The longest installation: from Updating until the device reports success or comes back.
    public var updating: TimeInterval
    /// The longest verification: until the device's version is known.
    public var verifying: TimeInterval
    /// When no notification arrived for this long in a running phase, read `/5/0/3` and `/5/0/5` (in
    /// `verifying`: `/3/0/3` and `/5/0/7`); again after each further period.
    public var fallbackReadAfter: TimeInterval

    /// Creates timeouts; the defaults are 10 min, 1 min, 10 min, 5 min and a fallback read after 60 s.
    public init(
        delivering: TimeInterval = 600, downloaded: TimeInterval = 60, updating: TimeInterval = 600,
        verifying: TimeInterval = 300, fallbackReadAfter: TimeInterval = 60
    ) {
        self.delivering = delivering
        self.downloaded = downloaded
        self.updating = updating
        self.verifying = verifying
        self.fallbackReadAfter = fallbackReadAfter
    }

    /// The timeout of a phase; `nil` for `scheduled` and the final states, which have none.
    public func timeout(for state: FirmwareUpdateState) -> TimeInterval? {
        switch state {
        case .delivering: delivering
        case .downloaded: downloaded
        case .updating: updating
        case .verifying: verifying
        case .scheduled, .succeeded, .failed, .cancelled: nil
        }
    }
}
