import Foundation

/// What the orchestrator must do after `FirmwareUpdate.handle(_:at:)`: every action is a device request, whose
/// answer comes back as `FirmwareUpdateEvent.requestSucceeded(action)` or `.requestFailed(action, …)`. Storing
/// the update is always the caller's job, and so is publishing a change of `state` (compare before and after).
public typealias FirmwareUpdateAction = FirmwareRequest
