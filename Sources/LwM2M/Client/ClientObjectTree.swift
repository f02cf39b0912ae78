import CoAP
import Foundation

/// The device side of the LwM2M data model: the object instances a client holds, their resource values, the
/// executable resources each instance supports, the notification attributes the server wrote and the server's
/// observations (LwM2M 1.1 Core §6.3, §6.4, Transport §6.4; Leshan's client `ObjectTree`).
///
/// It is a pure value: no I/O, no clock of its own. `handle(_:now:)` answers one CoAP request of the Device
/// Management and Service Enablement interface; every request runs against a copy that replaces the tree only when
/// the operation succeeded, so a failed Write or Write-Composite changes nothing.
///
/// Every value is typed by the object model: an instance can only hold resources its object defines, with the
/// defined type and single/multiple shape. Objects the client supports without instances are kept (Create on
/// them answers 2.01, Read answers an empty object).
public struct ClientObjectTree: Sendable {
    /// One object instance as the client holds it.
    struct Instance: Sendable, Hashable {
        /// The resources that have values, by id.
        var resources: [UInt16: LwM2MResource]
        /// The executable resources the instance supports.
        var executables: Set<UInt16>

        /// The ids of every resource the instance has, values and executables, ascending.
        var resourceIDs: [UInt16] { Set(resources.keys).union(executables).sorted() }
    }

    /// Objects a Device Management server may not see: Security (0) and OSCORE (21) belong to the bootstrap
    /// server and are left out of the registration (LwM2M 1.1 Core §6.2.1, Appendix E.1); requests on them
    /// answer 4.01.
    public static let bootstrapOnlyObjects: Set<UInt16> = [0, 21]

    /// The object definitions that type every value.
    public let model: any ObjectModelProvider
    /// The format of a Read answer when the request has no Accept option (see `preferredFormat`).
    public var defaultFormat: ContentFormat
    /// The codecs used to encode and decode payloads.
    public var codecs: LwM2MCodecRegistry
    /// The last Execute the tree accepted, with its arguments (for tests and simulators).
    public internal(set) var lastExecution: ClientExecution?

    /// The supported objects by id, each with its instances by id (possibly none).
    var objects: [UInt16: [UInt16: Instance]] = [:]
    /// Notification attributes by path (LwM2M 1.1 Core §5.1.2); never an empty set.
    var attributes: [LwM2MPath: NotificationAttributes] = [:]
    /// The observers and what they were last told (RFC 7641 §4.1, LwM2M 1.1 Core §6.4); see
    /// `process(_:session:token:now:)` and `dueNotifications(now:maximumInterval:)`.
    public internal(set) var observations = ClientObservations()

    /// Creates an empty tree typed by `model`.
    public init(model: any ObjectModelProvider, defaultFormat: ContentFormat = .tlv,
                codecs: LwM2MCodecRegistry = .standard) {
        self.model = model
        self.defaultFormat = defaultFormat
        self.codecs = codecs
    }

    /// The default content format of a client (LwM2M 1.1 Core §7.4): TLV for LwM2M 1.0; for 1.1 and 1.2 SenML CBOR
    /// when announced, else SenML JSON when announced, else TLV.
    public static func preferredFormat(version: LwM2MVersion, announced: [ContentFormat]) -> ContentFormat {
        switch version {
        case .v1_0:
            return .tlv
        case .v1_1, .v1_2:
            let formats = Set(announced.map(\.canonical))
            if formats.contains(.senmlCBOR) { return .senmlCBOR }
            if formats.contains(.senmlJSON) { return .senmlJSON }
            return .tlv
        }
    }

    // MARK: - Building the tree

    /// Declares `objectID` supported, without instances; throws `invalidPath` when the model does not define it.
    public mutating func addObject(_ objectID: UInt16) throws(LwM2MCodecError) {
        guard model.object(objectID) != nil else {
            throw LwM2MCodecError(.invalidPath, "object \(objectID) is not in the object model",
                                  path: LwM2MPath(objectID: objectID))
        }
        if objects[objectID] == nil { objects[objectID] = [:] }
    }

    /// Adds or replaces an instance of `objectID`, declaring the object supported. `executables` are the executable
    /// resources it supports; `nil` means every executable resource of the object's definition.
    ///
    /// Throws `invalidPath` for an object or resource the model does not define, `typeMismatch` for a value of the
    /// wrong type or an executable id that is not executable, `pathMismatch` for a single/multiple shape the model
    /// contradicts.
    public mutating func setInstance(_ instance: LwM2MObjectInstance, of objectID: UInt16,
                                     executables: Set<UInt16>? = nil) throws(LwM2MCodecError) {
        let path = try LwM2MPath(objectID: objectID, instanceID: instance.id)
        guard let definition = model.object(objectID) else {
            throw LwM2MCodecError(.invalidPath, "object \(objectID) is not in the object model", path: path)
        }
        for resource in instance.resources.values {
            try Self.check(resource, at: NodeAssembler.child(path, resource.id), model: model)
        }
        let executableIDs = definition.resources.values.filter { $0.type == .none }.map(\.id)
        let chosen = executables ?? Set(executableIDs)
        for id in chosen where !executableIDs.contains(id) {
            throw LwM2MCodecError(.typeMismatch, "resource \(id) is not executable in the object model",
                                  path: NodeAssembler.child(path, id))
        }
        objects[objectID, default: [:]][instance.id] = Instance(resources: instance.resources, executables: chosen)
    }

    /// Removes an instance and the attributes under it; returns whether it existed.
    @discardableResult
    public mutating func removeInstance(objectID: UInt16, instanceID: UInt16) -> Bool {
        guard objects[objectID]?.removeValue(forKey: instanceID) != nil else { return false }
        if let path = try? LwM2MPath(objectID: objectID, instanceID: instanceID) {
            attributes = attributes.filter { !path.isPrefix(of: $0.key) }
        }
        return true
    }

    /// Sets a resource of an existing instance (path `/o/i/r`); throws as `setInstance` does, and `invalidPath`
    /// when the path is not a resource path of an existing instance.
    public mutating func setResource(_ resource: LwM2MResource, at path: LwM2MPath) throws(LwM2MCodecError) {
        guard path.isResource, path.resourceID == resource.id,
            let objectID = path.objectID, let instanceID = path.instanceID,
            objects[objectID]?[instanceID] != nil
        else {
            throw LwM2MCodecError(.invalidPath, "no instance holds resource \(resource.id) at \(path)", path: path)
        }
        try Self.check(resource, at: path, model: model)
        objects[objectID]?[instanceID]?.resources[resource.id] = resource
    }

    /// Sets the value of a single resource (`/o/i/r`) or of one instance of a multiple resource (`/o/i/r/ri`).
    public mutating func setValue(_ value: LwM2MValue, at path: LwM2MPath) throws(LwM2MCodecError) {
        guard path.depth >= 3, let resourcePath = path.depth == 4 ? path.parent : path else {
            throw LwM2MCodecError(.invalidPath, "a value belongs to a resource or resource instance", path: path)
        }
        guard let resourceInstanceID = path.resourceInstanceID else {
            try setResource(.single(id: path.ids[2], value: value), at: path)
            return
        }
        var instances = resource(at: resourcePath)?.instances ?? [:]
        instances[resourceInstanceID] = value
        let type = model.resource(path.ids[0], path.ids[2])?.type ?? value.dataType
        try setResource(try LwM2MResource.multiple(id: path.ids[2], type: type, instances: instances), at: resourcePath)
    }

    // MARK: - Looking at the tree

    /// The supported object ids, ascending.
    public var objectIDs: [UInt16] { objects.keys.sorted() }

    /// The instance ids of `objectID`, ascending; empty when it has none or is not supported.
    public func instanceIDs(of objectID: UInt16) -> [UInt16] {
        objects[objectID].map { $0.keys.sorted() } ?? []
    }

    /// The resource at `/o/i/r`, or `nil`.
    public func resource(at path: LwM2MPath) -> LwM2MResource? {
        guard path.isResource else { return nil }
        return objects[path.ids[0]]?[path.ids[1]]?.resources[path.ids[2]]
    }

    /// The value of a single resource (`/o/i/r`) or resource instance (`/o/i/r/ri`), or `nil`.
    public func value(at path: LwM2MPath) -> LwM2MValue? {
        switch path.depth {
        case 3: return resource(at: path)?.value
        case 4: return path.parent.flatMap { resource(at: $0) }?.instances?[path.ids[3]]
        default: return nil
        }
    }

    /// The node at `path` with every value, whatever the resources' operations; `nil` when absent or the root.
    public func node(at path: LwM2MPath) -> LwM2MNode? {
        nodeFiltered(at: path) { _ in true }
    }

    /// The executable resources an instance supports, ascending; empty when the instance does not exist.
    public func executables(objectID: UInt16, instanceID: UInt16) -> [UInt16] {
        objects[objectID]?[instanceID]?.executables.sorted() ?? []
    }

    /// The notification attributes written at `path`, or `nil` when none (LwM2M 1.1 Core §5.1.2).
    public func attributes(at path: LwM2MPath) -> NotificationAttributes? {
        attributes[path]
    }

    /// The links of a Register or Update payload (LwM2M 1.1 Core §6.2.1): `</>;rt="oma.lwm2m"` with `ct=` when
    /// `contentFormats` is not empty, then for each object `</o>;ver=x.y` when its version is not 1.0, and `</o/i>`
    /// per instance (`</o>` alone for an object without instances). Security and OSCORE are left out.
    public func registrationLinks(contentFormats: [ContentFormat] = []) -> [WebLink] {
        var root = WebLink(target: "/", parameters: [LinkParameter(name: "rt", value: "oma.lwm2m", quoted: true)])
        if !contentFormats.isEmpty {
            let list = contentFormats.map { String($0.rawValue) }.joined(separator: " ")
            root.parameters.append(LinkParameter(name: "ct", value: list, quoted: contentFormats.count > 1))
        }
        var links = [root]
        for objectID in objectIDs where !Self.bootstrapOnlyObjects.contains(objectID) {
            let version = model.object(objectID)?.version ?? "1.0"
            let instanceIDs = instanceIDs(of: objectID)
            if version != "1.0" && version != "1" {
                links.append(WebLink(target: "/\(objectID)", parameters: [LinkParameter(name: "ver", value: version)]))
            } else if instanceIDs.isEmpty {
                links.append(WebLink(target: "/\(objectID)"))
            }
            links += instanceIDs.map { WebLink(target: "/\(objectID)/\($0)") }
        }
        return links
    }

    // MARK: - Internals shared by the operations

    /// The node at `path` keeping only resources `include` accepts (by definition; `nil` for unknown ones).
    func nodeFiltered(at path: LwM2MPath, include: (ResourceDefinition?) -> Bool) -> LwM2MNode? {
        func filtered(_ instance: Instance, objectID: UInt16, id: UInt16) -> LwM2MObjectInstance? {
            let kept = instance.resources.values.filter { include(model.resource(objectID, $0.id)) }
            return try? LwM2MObjectInstance(id: id, resources: Array(kept))
        }
        switch path.depth {
        case 1:
            guard let instances = objects[path.ids[0]] else { return nil }
            let nodes = instances.compactMap { filtered($0.value, objectID: path.ids[0], id: $0.key) }
            return (try? LwM2MObject(id: path.ids[0], instances: nodes)).map(LwM2MNode.object)
        case 2:
            guard let instance = objects[path.ids[0]]?[path.ids[1]] else { return nil }
            return filtered(instance, objectID: path.ids[0], id: path.ids[1]).map(LwM2MNode.objectInstance)
        case 3:
            return resource(at: path).map(LwM2MNode.resource)
        case 4:
            guard let value = value(at: path) else { return nil }
            return .resourceInstance(LwM2MResourceInstance(id: path.ids[3], value: value))
        default:
            return nil
        }
    }

    /// Throws unless `resource` fits the model at `path`: a defined, non-executable resource of the right shape
    /// and type.
    static func check(_ resource: LwM2MResource, at path: LwM2MPath, model: any ObjectModelProvider)
        throws(LwM2MCodecError)
    {
        guard let definition = model.resource(path.ids[0], resource.id) else {
            throw LwM2MCodecError(.invalidPath, "resource \(resource.id) is not in the object model", path: path)
        }
        guard definition.type != .none else {
            throw LwM2MCodecError(.typeMismatch, "resource is executable and has no value", path: path)
        }
        guard definition.multiple == resource.isMultiple else {
            throw LwM2MCodecError(
                .pathMismatch,
                definition.multiple ? "resource is multiple-instance" : "resource is single-instance", path: path)
        }
        guard definition.type == resource.type else {
            throw LwM2MCodecError(
                .typeMismatch, "resource is \(definition.type.rawValue), the value is \(resource.type.rawValue)",
                path: path)
        }
    }
}
