/// Whether a Write replaces the target or updates part of it (LwM2M 1.1 Core §5.4.3: PUT vs POST).
public enum WriteMode: String, Sendable, Equatable {
    /// Replace: PUT; resources not in the payload are removed (instance) or the resource is replaced.
    case replace
    /// Partial update: POST; only the resources in the payload change.
    case update
}

/// A device-management or service-enablement operation the server sends to a registered client
/// (LwM2M 1.1 Core §5.4, §6.3, Transport §6.3).
public enum DeviceRequest: Sendable, Equatable {
    /// Read: GET on an object, instance, resource or resource instance.
    case read(LwM2MPath)
    /// Discover: GET with Accept: link format; answers the attributes and resources under the path.
    case discover(LwM2MPath)
    /// Write: PUT (replace) or POST (partial update) with the node as payload.
    case write(LwM2MPath, LwM2MNode, mode: WriteMode)
    /// Write-Attributes: PUT with the attributes in the query and no payload (LwM2M 1.1 Core §5.4.4).
    case writeAttributes(LwM2MPath, NotificationAttributes)
    /// Execute: POST on a resource, with optional plain-text arguments (LwM2M 1.1 Core §5.4.5).
    case execute(LwM2MPath, arguments: String?)
    /// Create: POST on an object with the new instance as payload (LwM2M 1.1 Core §5.4.6).
    case create(objectID: UInt16, instance: LwM2MObjectInstance)
    /// Delete: DELETE on an object instance (LwM2M 1.1 Core §5.4.7).
    case delete(LwM2MPath)
    /// Read-Composite: FETCH with the paths as a SenML payload (LwM2M 1.1 Core §5.4.8).
    case readComposite([LwM2MPath])
    /// Write-Composite: iPATCH with the nodes as a SenML payload (LwM2M 1.1 Core §5.4.9).
    case writeComposite([LwM2MPath: LwM2MNode])
}

/// What a client answered to a `DeviceRequest`, when it succeeded.
public enum DeviceResponse: Sendable, Equatable {
    /// 2.05 Content of a Read: the node and the format it came in.
    case content(LwM2MNode, format: ContentFormat)
    /// 2.05 Content of a Read-Composite: one node per path.
    case compositeContent([LwM2MPath: LwM2MNode], format: ContentFormat)
    /// 2.05 Content of a Discover.
    case links([LwM2MLink])
    /// 2.04 Changed: Write, Write-Attributes, Execute, Write-Composite.
    case changed
    /// 2.01 Created, with the new instance's path from Location-Path when the client gave one.
    case created(LwM2MPath?)
    /// 2.02 Deleted.
    case deleted
}
