import GRDB
import LwM2M

/// One row of the `resource_type` table: one resource of the object model (object id, resource id), the type
/// every stored value of that resource is read with.
public struct ResourceTypeRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "resource_type"

    /// The row id (`nil` before insertion).
    public var id: Int64?
    /// The object id.
    public var objectId: Int
    /// The resource id.
    public var resourceId: Int
    /// The resource name (`Battery Level`).
    public var name: String
    /// The DDF data type name (LwM2M 1.1 Core Appendix C): `String`, `Integer`, `Unsigned Integer`, `Float`,
    /// `Boolean`, `Opaque`, `Time`, `Objlnk`, `Corelnk`, or `""` for executable resources (DDF `<Type></Type>`).
    public var dataType: String
    /// The units, `nil` when the definition has none.
    public var units: String?
    /// Whether it is a multiple-instance resource.
    public var multiple: Bool
    /// Whether it is mandatory.
    public var mandatory: Bool
    /// `R`, `W`, `RW`, `E` or `""`.
    public var operations: String

    /// The table's columns, for queries.
    public enum Columns {
        /// `id`.
        public static let id = Column(CodingKeys.id)
        /// `objectId`.
        public static let objectId = Column(CodingKeys.objectId)
        /// `resourceId`.
        public static let resourceId = Column(CodingKeys.resourceId)
        /// `name`.
        public static let name = Column(CodingKeys.name)
        /// `dataType`.
        public static let dataType = Column(CodingKeys.dataType)
        /// `units`.
        public static let units = Column(CodingKeys.units)
        /// `multiple`.
        public static let multiple = Column(CodingKeys.multiple)
        /// `mandatory`.
        public static let mandatory = Column(CodingKeys.mandatory)
        /// `operations`.
        public static let operations = Column(CodingKeys.operations)
    }

    /// Creates a record from its column values.
    public init(
        id: Int64? = nil, objectId: Int, resourceId: Int, name: String, dataType: String, units: String?,
        multiple: Bool, mandatory: Bool, operations: String
    ) {
        self.id = id
        self.objectId = objectId
        self.resourceId = resourceId
        self.name = name
        self.dataType = dataType
        self.units = units
        self.multiple = multiple
        self.mandatory = mandatory
        self.operations = operations
    }

    /// The row describing `resource` of object `objectID` (no id yet).
    public init(objectID: UInt16, resource: ResourceDefinition) {
        self.init(
            objectId: Int(objectID), resourceId: Int(resource.id), name: resource.name,
            dataType: DDFParser.ddfName(of: resource.type), units: resource.units.isEmpty ? nil : resource.units,
            multiple: resource.multiple, mandatory: resource.mandatory, operations: resource.operations.letters)
    }

    /// Records the id SQLite assigned on insert.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
