/// The data type of a resource as declared in an object definition (OMA DDF `<Type>`, LwM2M 1.1 Core Appendix C).
public enum ResourceDataType: String, Sendable, Codable, CaseIterable {
    /// UTF-8 text (DDF `String`).
    case string
    /// A signed integer (DDF `Integer`).
    case integer
    /// An unsigned integer (DDF `Unsigned Integer`, LwM2M 1.1).
    case unsignedInteger
    /// A floating-point number (DDF `Float`).
    case float
    /// A boolean (DDF `Boolean`).
    case boolean
    /// Raw bytes (DDF `Opaque`).
    case opaque
    /// A Unix time in seconds (DDF `Time`).
    case time
    /// An object link `objectID:instanceID` (DDF `Objlnk`).
    case objlnk
    /// A CoRE link-format string (DDF `Corelnk`, LwM2M 1.1).
    case corelnk
    /// No value: executable resources (`<Type></Type>` or `none` in DDF).
    case none
}

/// The operations a resource allows (DDF `<Operations>`: R, W, RW, E or empty).
public struct ResourceOperations: OptionSet, Sendable, Hashable, Codable {
    /// The option bits.
    public let rawValue: UInt8
    /// Creates a set from its option bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Read (`R`).
    public static let read = ResourceOperations(rawValue: 1 << 0)
    /// Write (`W`).
    public static let write = ResourceOperations(rawValue: 1 << 1)
    /// Execute (`E`).
    public static let execute = ResourceOperations(rawValue: 1 << 2)
}

/// One resource of an object definition (DDF `<Item>`).
public struct ResourceDefinition: Sendable, Hashable, Codable {
    /// The resource id (`<Item ID=...>`).
    public var id: UInt16
    /// The resource name (`<Name>`).
    public var name: String
    /// The allowed operations (`<Operations>`).
    public var operations: ResourceOperations
    /// `true` for a multiple-instance resource (DDF `<MultipleInstances>Multiple`).
    public var multiple: Bool
    /// `true` for a mandatory resource (DDF `<Mandatory>Mandatory`).
    public var mandatory: Bool
    /// The data type (`<Type>`).
    public var type: ResourceDataType
    /// The `<RangeEnumeration>` text, empty when none.
    public var rangeEnumeration: String
    /// The `<Units>` text, empty when none.
    public var units: String
    /// The `<Description>` text, empty when none.
    public var description: String

    /// Creates a resource definition.
    public init(id: UInt16, name: String, operations: ResourceOperations, multiple: Bool, mandatory: Bool,
                type: ResourceDataType, rangeEnumeration: String = "", units: String = "", description: String = "") {
        self.id = id; self.name = name; self.operations = operations; self.multiple = multiple
        self.mandatory = mandatory; self.type = type; self.rangeEnumeration = rangeEnumeration
        self.units = units; self.description = description
    }
}

/// One LwM2M object definition (DDF `<Object>`).
public struct ObjectDefinition: Sendable, Hashable, Codable {
    /// The object id (`<ObjectID>`).
    public var id: UInt16
    /// The object name (`<Name>`).
    public var name: String
    /// The `<Description1>` text, empty when none.
    public var description: String
    /// `<ObjectVersion>`, "1.0" when absent.
    public var version: String
    /// `<LWM2MVersion>`, "1.0" when absent.
    public var lwm2mVersion: String
    /// `<ObjectURN>`, empty when absent.
    public var urn: String
    /// `true` when `<MultipleInstances>Multiple`.
    public var multipleInstances: Bool
    /// `true` when `<Mandatory>Mandatory`.
    public var mandatory: Bool
    /// Resources by id.
    public var resources: [UInt16: ResourceDefinition]

    /// Creates an object definition.
    public init(id: UInt16, name: String, description: String = "", version: String = "1.0",
                lwm2mVersion: String = "1.0", urn: String = "", multipleInstances: Bool, mandatory: Bool,
                resources: [UInt16: ResourceDefinition]) {
        self.id = id; self.name = name; self.description = description; self.version = version
        self.lwm2mVersion = lwm2mVersion; self.urn = urn; self.multipleInstances = multipleInstances
        self.mandatory = mandatory; self.resources = resources
    }
}

/// Looks up object and resource definitions; codecs use it to type values (the object model registry implements it).
public protocol ObjectModelProvider: Sendable {
    /// The definition of object `objectID`, or `nil` when the object is unknown.
    func object(_ objectID: UInt16) -> ObjectDefinition?
}

extension ObjectModelProvider {
    /// The definition of resource `resourceID` of object `objectID`, or `nil` when either is unknown.
    public func resource(_ objectID: UInt16, _ resourceID: UInt16) -> ResourceDefinition? {
        object(objectID)?.resources[resourceID]
    }
}
