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

/// Notification attributes for Write-Attributes (LwM2M 1.1 Core §5.1.2); `nil` leaves one unchanged.
public struct NotificationAttributes: Sendable, Hashable, Codable {
    /// Minimum period in seconds.
    public var pmin: Int?
    /// Maximum period in seconds.
    public var pmax: Int?
    /// Greater-than threshold.
    public var gt: Double?
    /// Less-than threshold.
    public var lt: Double?
    /// Step.
    public var st: Double?
    /// Minimum evaluation period in seconds (LwM2M 1.1).
    public var epmin: Int?
    /// Maximum evaluation period in seconds (LwM2M 1.1).
    public var epmax: Int?
    /// Attributes to remove (sent without a value, e.g. `pmin`).
    public var unset: [String]

    /// Creates a set of attributes.
    public init(pmin: Int? = nil, pmax: Int? = nil, gt: Double? = nil, lt: Double? = nil, st: Double? = nil,
                epmin: Int? = nil, epmax: Int? = nil, unset: [String] = []) {
        self.pmin = pmin; self.pmax = pmax; self.gt = gt; self.lt = lt; self.st = st
        self.epmin = epmin; self.epmax = epmax; self.unset = unset
    }

    /// The attribute names LwM2M defines.
    public static let names = ["pmin", "pmax", "gt", "lt", "st", "epmin", "epmax"]

    /// Whether nothing is set or unset.
    public var isEmpty: Bool { queryItems.isEmpty }

    /// The Uri-Query items (`pmin=10`, `gt=20.5`, bare `lt` to unset).
    public var queryItems: [String] {
        var items: [String] = []
        func add(_ name: String, _ value: String?) { if let value { items.append("\(name)=\(value)") } }
        add("pmin", pmin.map(String.init))
        add("pmax", pmax.map(String.init))
        add("gt", gt.map(Self.number))
        add("lt", lt.map(Self.number))
        add("st", st.map(Self.number))
        add("epmin", epmin.map(String.init))
        add("epmax", epmax.map(String.init))
        items += unset
        return items
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
