import Hummingbird
import LwM2M
import ResourceModel

/// An object in the list of `GET /api/v1/objects`:
/// `{"id":3,"name":"Device","version":"1.2","multipleInstances":false,"mandatory":true}`.
public struct ObjectSummaryDTO: Codable, Sendable, Equatable, ResponseEncodable {
    /// The object id.
    public var id: UInt16
    /// The object name.
    public var name: String
    /// The object version (the newest the server knows).
    public var version: String
    /// Whether the object can have more than one instance.
    public var multipleInstances: Bool
    /// Whether every client must have it.
    public var mandatory: Bool

    /// The summary of a definition.
    public init(_ definition: ObjectDefinition) {
        id = definition.id
        name = definition.name
        version = definition.version
        multipleInstances = definition.multipleInstances
        mandatory = definition.mandatory
    }
}

/// One object of `GET /api/v1/objects/{id}`: the summary members plus the description, the LwM2M version,
/// the URN and the resources sorted by id.
public struct ObjectDTO: Codable, Sendable, Equatable, ResponseEncodable {
    /// The object id.
    public var id: UInt16
    /// The object name.
    public var name: String
    /// The object version.
    public var version: String
    /// Whether the object can have more than one instance.
    public var multipleInstances: Bool
    /// Whether every client must have it.
    public var mandatory: Bool
    /// The object's description.
    public var description: String
    /// The LwM2M version the definition is written for.
    public var lwm2mVersion: String
    /// The object URN (`urn:oma:lwm2m:oma:3:1.2`), empty when the definition has none.
    public var urn: String
    /// The resources, sorted by id.
    public var resources: [ResourceDTO]

    /// The representation of a definition.
    public init(_ definition: ObjectDefinition) {
        id = definition.id
        name = definition.name
        version = definition.version
        multipleInstances = definition.multipleInstances
        mandatory = definition.mandatory
        description = definition.description
        lwm2mVersion = definition.lwm2mVersion
        urn = definition.urn
        resources = definition.resources.keys.sorted().compactMap { definition.resources[$0] }.map(ResourceDTO.init)
    }
}

/// One resource of an object: `{"id":9,"name":"Battery Level","operations":"R","multiple":false,"mandatory":false,
/// "type":"integer","units":"%","range":"0..100","description":"..."}`.
public struct ResourceDTO: Codable, Sendable, Equatable {
    /// The resource id.
    public var id: UInt16
    /// The resource name.
    public var name: String
    /// `R`, `W`, `RW`, `E` or `""`.
    public var operations: String
    /// Whether it is a multiple-instance resource.
    public var multiple: Bool
    /// Whether it is mandatory.
    public var mandatory: Bool
    /// The data type (`string`, `integer`, ..., `none` for executable resources).
    public var type: String
    /// The units, `""` when none.
    public var units: String
    /// The range or enumeration, `""` when none.
    public var range: String
    /// The description.
    public var description: String

    /// The representation of a definition.
    public init(_ definition: ResourceDefinition) {
        id = definition.id
        name = definition.name
        operations = definition.operations.letters
        multiple = definition.multiple
        mandatory = definition.mandatory
        type = definition.type.rawValue
        units = definition.units
        range = definition.rangeEnumeration
        description = definition.description
    }
}
