import LwM2M

/// One LwM2M node as JSON (Leshan's REST representation), the `content` of Read answers:
///
/// - single resource `{"id":0,"kind":"singleResource","type":"string","value":"ACME"}`
/// - multiple resource `{"id":6,"kind":"multiResource","type":"integer","values":{"0":1,"1":5}}`
/// - resource instance `{"id":1,"kind":"resourceInstance","type":"integer","value":5}`
/// - object instance `{"id":0,"kind":"instance","resources":[...]}`
/// - object `{"id":3,"kind":"object","instances":[...]}`
///
/// Children are sorted by id. Values are encoded as `ValueDTO` describes.
public struct NodeDTO: Sendable, Equatable, Encodable {
    /// The `kind` member: which level of the data model the node is.
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        /// An object with its instances (`/o`).
        case object
        /// An object instance with its resources (`/o/i`).
        case instance
        /// A single-instance resource (`/o/i/r`).
        case singleResource
        /// A multiple-instance resource (`/o/i/r`).
        case multiResource
        /// One instance of a multiple resource (`/o/i/r/ri`).
        case resourceInstance
    }

    /// The node's id at its own level.
    public var id: UInt16
    /// The node's kind.
    public var kind: Kind
    /// The data type of a resource or resource instance (`string`, `integer`, `unsignedInteger`, ...).
    public var type: String?
    /// The value of a single resource or resource instance.
    public var value: ValueDTO?
    /// The values of a multiple resource by resource-instance id.
    public var values: [String: ValueDTO]?
    /// The resources of an object instance.
    public var resources: [NodeDTO]?
    /// The instances of an object.
    public var instances: [NodeDTO]?

    /// The JSON form of `node`.
    public init(_ node: LwM2MNode) {
        switch node {
        case .object(let object):
            self.init(id: object.id, kind: .object)
            instances = object.instances.keys.sorted().compactMap { object.instances[$0] }.map(Self.init(instance:))
        case .objectInstance(let instance):
            self.init(instance: instance)
        case .resource(let resource):
            self.init(resource: resource)
        case .resourceInstance(let instance):
            self.init(id: instance.id, kind: .resourceInstance)
            type = instance.value.dataType.rawValue
            value = ValueDTO(instance.value)
        }
    }

    /// A node with only `id` and `kind` set.
    private init(id: UInt16, kind: Kind) {
        self.id = id
        self.kind = kind
    }

    /// The JSON form of an object instance.
    private init(instance: LwM2MObjectInstance) {
        self.init(id: instance.id, kind: .instance)
        resources = instance.resources.keys.sorted().compactMap { instance.resources[$0] }.map(Self.init(resource:))
    }

    /// The JSON form of a resource, single or multiple.
    private init(resource: LwM2MResource) {
        switch resource.content {
        case .single(let single):
            self.init(id: resource.id, kind: .singleResource)
            value = ValueDTO(single)
        case .multiple(let instances):
            self.init(id: resource.id, kind: .multiResource)
            values = Dictionary(uniqueKeysWithValues: instances.map { (String($0.key), ValueDTO($0.value)) })
        }
        type = resource.type.rawValue
    }
}
