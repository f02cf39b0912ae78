/// A node of the LwM2M data model, as read from or written to a client (Leshan's `LwM2mNode` hierarchy):
/// object → object instance → resource (single or multiple) → resource instance.
public enum LwM2MNode: Sendable, Hashable {
    /// An object with its instances (path `/o`).
    case object(LwM2MObject)
    /// An object instance with its resources (path `/o/i`).
    case objectInstance(LwM2MObjectInstance)
    /// A single- or multiple-instance resource (path `/o/i/r`).
    case resource(LwM2MResource)
    /// One resource instance (path `/o/i/r/ri`).
    case resourceInstance(LwM2MResourceInstance)

    /// The id of the node at its own level.
    public var id: UInt16 {
        switch self {
        case .object(let object): object.id
        case .objectInstance(let instance): instance.id
        case .resource(let resource): resource.id
        case .resourceInstance(let instance): instance.id
        }
    }

    /// The path depth this kind of node lives at: 1 (object) to 4 (resource instance).
    public var depth: Int {
        switch self {
        case .object: 1
        case .objectInstance: 2
        case .resource: 3
        case .resourceInstance: 4
        }
    }

    /// A single-instance resource node.
    public static func singleResource(id: UInt16, value: LwM2MValue) -> LwM2MNode {
        .resource(.single(id: id, value: value))
    }

    /// Throws `pathMismatch` unless `path` addresses this node (same depth, same last id).
    public func validate(at path: LwM2MPath) throws(LwM2MCodecError) {
        guard path.depth == depth, path.ids.last == id else {
            throw LwM2MCodecError(.pathMismatch, "a \(kindName) with id \(id) cannot be at path \(path)", path: path)
        }
    }

    /// A short name of the node kind for messages.
    var kindName: String {
        switch self {
        case .object: "object"
        case .objectInstance: "object instance"
        case .resource(let resource): resource.isMultiple ? "multiple resource" : "single resource"
        case .resourceInstance: "resource instance"
        }
    }
}
