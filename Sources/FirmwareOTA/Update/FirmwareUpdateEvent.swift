import Foundation

/// Something that happened to a firmware update: the input of `FirmwareUpdate.handle(_:at:)`.
public enum FirmwareUpdateEvent: Sendable, Equatable {
    /// Begin the delivery (only from `scheduled`).
    case start
    /// The device answered a request of an earlier action with success (2.xx).
    case requestSucceeded(FirmwareRequest)
    /// A request of an earlier action failed. `transient` is `true` when the device did not answer (timeout,
    /// unreachable, a broken block-wise transfer) and `false` when it refused (4.xx, 5.xx); only transient
    /// failures of the delivery are retried.
    case requestFailed(FirmwareRequest, reason: String, transient: Bool = false)
    /// Bytes of the package delivered so far (push: blocks acknowledged; pull: bytes served to the device).
    case deliveryProgress(bytes: Int64)
    /// A value of `/5/0/3` State, observed or read (LwM2M 1.1 Core §E.6).
    case deviceState(Int)
    /// A value of `/5/0/5` Update Result, observed or read (LwM2M 1.1 Core §E.6).
    case updateResult(Int)
    /// The device registered again or sent a registration Update, with `/3/0/3` Firmware Version and `/5/0/7`
    /// PkgVersion if they were read after it; also how the answer to a `read(FirmwareResource.versions)` comes
    /// back.
    case deviceCameBack(firmwareVersion: String?, packageVersion: String?)
    /// Time passed: deadlines and overdue notifications are checked.
    case tick
    /// An operator cancels the update.
    case cancel
}
