import Foundation
import GRDB

/// One row of the `event_rule` table.
public struct EventRuleRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "event_rule"

    /// The row id (`nil` before insertion).
    public var id: Int64?
    /// The rule's unique name.
    public var name: String
    /// The resource types as `"o/r"` strings, stored as a JSON array.
    public var resourceTypes: [String]
    /// When the rule was stored.
    public var createdAt: Date

    /// The table's columns, for queries.
    public enum Columns {
        /// `id`.
        public static let id = Column(CodingKeys.id)
        /// `name`.
        public static let name = Column(CodingKeys.name)
        /// `resourceTypes`.
        public static let resourceTypes = Column(CodingKeys.resourceTypes)
        /// `createdAt`.
        public static let createdAt = Column(CodingKeys.createdAt)
    }

    /// The row of `rule` (no id yet).
    public init(_ rule: EventRule, createdAt: Date) {
        name = rule.name
        resourceTypes = rule.resourceTypes.map(\.description)
        self.createdAt = createdAt
    }

    /// The rule this row stores (resource types that do not parse are skipped).
    public var rule: EventRule {
        EventRule(name: name, resourceTypes: resourceTypes.compactMap(ResourceTypeKey.init))
    }

    /// Records the id SQLite assigned on insert.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// Instants are stored as epoch milliseconds.
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .millisecondsSince1970
    }

    /// Instants are read back from epoch milliseconds.
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .millisecondsSince1970
    }
}
