import GRDB
import LwM2M

/// One row of the `resource_type` table: one resource of the object model (object id, resource id), the type
/// every stored value of that resource is read with.
struct ResourceTypeRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    static let databaseTableName = "resource_type"

    /// The row id (`nil` before insertion).
    var id: Int64?
    /// The object id.
    var objectId: Int
    /// The resource id.
    var resourceId: Int
    /// The resource name (`Battery Level`).
    var name: String
    /// The DDF data type name (LwM2M 1.1 Core Appendix C): `String`, `Integer`, `Unsigned Integer`, `Float`,
    /// `Boolean`, `Opaque`, `Time`, `Objlnk`, `Corelnk`, or `""` for executable resources (DDF `<Type></Type>`).
    var dataType: String
    /// The units, `nil` when the definition has none.
    var units: String?
    /// Whether it is a multiple-instance resource.
    var multiple: Bool
    /// Whether it is mandatory.
    var mandatory: Bool
    /// `R`, `W`, `RW`, `E` or `""`.
    var operations: String

    /// The table's columns, for queries.
    enum Columns {
        /// `id`.
        static let id = Column(CodingKeys.id)
        /// `objectId`.
        static let objectId = Column(CodingKeys.objectId)
        /// `resourceId`.
        static let resourceId = Column(CodingKeys.resourceId)
        /// `name`.
        static let name = Column(CodingKeys.name)
        /// `dataType`.
        static let dataType = Column(CodingKeys.dataType)
        /// `units`.
        static let units = Column(CodingKeys.units)
        /// `multiple`.
        static let multiple = Column(CodingKeys.multiple)
        /// `mandatory`.
        static let mandatory = Column(CodingKeys.mandatory)
        /// `operations`.
        static let operations = Column(CodingKeys.operations)
    }

    /// Creates a record from its column values.
    init(
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
    init(objectID: UInt16, resource: ResourceDefinition) {
        self.init(ResourceType(objectID: objectID, resource: resource))
    }

    /// The row of a domain resource type (no id yet).
    init(_ type: ResourceType) {
        self.init(
            objectId: Int(type.objectID), resourceId: Int(type.resourceID), name: type.name, dataType: type.dataType,
            units: type.units, multiple: type.multiple, mandatory: type.mandatory, operations: type.operations)
    }

    /// The domain value of this row.
    var type: ResourceType {
        ResourceType(
            objectID: UInt16(objectId), resourceID: UInt16(resourceId), name: name, dataType: dataType, units: units,
            multiple: multiple, mandatory: mandatory, operations: operations)
    }

    /// Records the id SQLite assigned on insert.
    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
