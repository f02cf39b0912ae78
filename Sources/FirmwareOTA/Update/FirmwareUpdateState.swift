import Foundation

/// Where one firmware update of one endpoint stands, as the server sees it. The device's own view is the
/// Object 5 State `/5/0/3` (LwM2M 1.1 Core §E.6); this adds the server-side phases around it.
///
/// `scheduled → delivering → downloaded → updating → verifying → succeeded`, or `failed` / `cancelled` from
/// any phase before.
public enum FirmwareUpdateState: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// Created, not started yet: nothing was sent to the device.
    case scheduled
    /// The package is on its way: the server wrote the package URI `/5/0/1` (pull) or is writing the image to
    /// `/5/0/0` (push); the device is Idle (0) or Downloading (1).
    case delivering
    /// The device holds the whole package (`/5/0/3` = 2 Downloaded); the server executes Update `/5/0/2`.
    case downloaded
    /// The device accepted Update `/5/0/2` or reported Updating (`/5/0/3` = 3): it installs and reboots.
    case updating
    /// The device reports success or came back; the server checks `/3/0/3` Firmware Version or `/5/0/7`
    /// PkgVersion against the target version.
    case verifying
    /// The device came back with the target version.
    case succeeded
    /// The update ended without the target version (a failure result, a refusal, a timeout, a wrong version).
    case failed
    /// The update was cancelled by an operator, or the device reported Update Result 10 (cancelled).
    case cancelled

    /// Whether nothing happens to the update any more (`succeeded`, `failed`, `cancelled`).
    public var isFinal: Bool {
        switch self {
        case .succeeded, .failed, .cancelled: true
        case .scheduled, .delivering, .downloaded, .updating, .verifying: false
        }
    }
}
