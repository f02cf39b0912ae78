import Foundation

/// One device request of a firmware update, as `FirmwareUpdate.handle(_:at:)` asks for it. The orchestrator
/// sends it and reports the answer back with the same value in `FirmwareUpdateEvent.requestSucceeded` or
/// `.requestFailed`, so answers match their requests. Values read or observed come back as
/// `FirmwareUpdateEvent.deviceState`, `.updateResult` and `.deviceCameBack`.
public enum FirmwareRequest: Sendable, Equatable, Hashable, Codable {
    /// Observe these resources (`/5/0/3`, `/5/0/5`) so their changes arrive as notifications.
    case observe([FirmwareResource])
    /// Cancel the observations of these resources: the update no longer needs them.
    case cancelObservation([FirmwareResource])
    /// Read these resources (a fallback when an expected notification is overdue, or the versions to verify).
    case read([FirmwareResource])
    /// Write the package URI to `/5/0/1` (pull delivery). The request carries no URI: the orchestrator knows
    /// where it serves the image (coap(s):// or http(s)://).
    case writePackageURI
    /// Write the image to `/5/0/0` block-wise (push delivery), starting at byte `resumeAt` (0: from the start).
    case pushPackage(resumeAt: Int64)
    /// Execute Update `/5/0/2`: install the downloaded package.
    case executeUpdate
    /// Write an empty string to `/5/0/1`: the device resets its update to Idle (the LwM2M 1.0 way to cancel,
    /// and the reset before a retry; LwM2M 1.1 Core §E.6).
    case writeEmptyPackageURI
    /// Execute Cancel `/5/0/10` (LwM2M 1.1 devices that have it).
    case executeCancel

    /// Whether this is a push (`pushPackage`, from any byte).
    public var isPush: Bool {
        if case .pushPackage = self { true } else { false }
    }
}
