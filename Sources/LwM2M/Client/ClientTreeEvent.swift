/// A change a successful request made to a `ClientObjectTree`, for the client around it to act on.
public enum ClientTreeEvent: Sendable, Equatable {
    /// Execute (LwM2M 1.1 Core §6.3.5) on the resource, with its plain-text arguments when any.
    case executed(LwM2MPath, arguments: String?)
    /// Write or Write-Composite (LwM2M 1.1 Core §6.3.3, §6.3.9) changed these paths, in path order.
    case written([LwM2MPath])
    /// Create (LwM2M 1.1 Core §6.3.6) added the instance.
    case instanceCreated(LwM2MPath)
    /// Delete (LwM2M 1.1 Core §6.3.7) removed the instance.
    case instanceDeleted(LwM2MPath)
}
