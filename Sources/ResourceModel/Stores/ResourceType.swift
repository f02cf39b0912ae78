import LwM2M

/// One resource of the object model as the store types its values: object id, resource id and DDF metadata.
public struct ResourceType: Sendable, Equatable {
    /// The object id.
    public var objectID: UInt16
    /// The resource id.
    public var resourceID: UInt16
    /// The resource name (`Battery Level`).
    public var name: String
    /// The DDF data type name (LwM2M 1.1 Core Appendix C): `String`, `Integer`, `Unsigned Integer`, `Float`,
    /// `Boolean`, `Opaque`, `Time`, `Objlnk`, `Corelnk`, or `""` for executable resources.
    public var dataType: String
    /// The units, `nil` when the definition has none.
    public var units: String?
    /// Whether it is a multiple-instance resource.
    public var multiple: Bool
    /// Whether it is mandatory.
    public var mandatory: Bool
    /// `R`, `W`, `RW`, `E` or `""`.
    public var operations: String

    /// Creates a resource type from its fields.
    public init(
        objectID: UInt16, resourceID: UInt16, name: String, dataType: String, units: String?, multiple: Bool,
        mandatory: Bool, operations: String
    ) {
        self.objectID = objectID
        self.resourceID = resourceID
        self.name = name
        self.dataType = dataType
        self.units = units
        self.multiple = multiple
        self.mandatory = mandatory
        self.operations = operations
    }

    /// The type of `resource` of object `objectID`.
    public init(objectID: UInt16, resource: ResourceDefinition) {
        self.init(
            objectID: objectID, resourceID: resource.id, name: resource.name,
            dataType: DDFParser.ddfName(of: resource.type), units: resource.units.isEmpty ? nil : resource.units,
            multiple: resource.multiple, mandatory: resource.mandatory, operations: resource.operations.letters)
    }

    /// The key of this resource (`3303/5700`).
    public var key: ResourceTypeKey { ResourceTypeKey(objectID: objectID, resourceID: resourceID) }
}
