import Foundation
import GRDB

/// One row of the `event_rule` table.
struct EventRuleRecord: Codable, Sendable, Equatable, NamedRecord, EpochMillisecondRecord {
    /// The table name.
    static let databaseTableName = "event_rule"

    /// The row id (`nil` before insertion).
    var id: Int64?
    /// The rule's unique name.
    var name: String
    /// The resource types as `"o/r"` strings, stored as a JSON array.
    var resourceTypes: [String]
    /// When the rule was stored.
    var createdAt: Date

    /// The table's columns, for queries.
    enum Columns {
        /// `id`.
        static let id = Column(CodingKeys.id)
        /// `name`.
        static let name = Column(CodingKeys.name)
        /// `resourceTypes`.
        static let resourceTypes = Column(CodingKeys.resourceTypes)
        /// `createdAt`.
        static let createdAt = Column(CodingKeys.createdAt)
    }

    /// The row of `rule` (no id yet).
    init(_ rule: EventRule, createdAt: Date) {
        name = rule.name
        resourceTypes = rule.resourceTypes.map(\.description)
        self.createdAt = createdAt
    }

    /// The rule this row stores (resource types that do not parse are skipped).
    var rule: EventRule {
        EventRule(name: name, resourceTypes: resourceTypes.compactMap(ResourceTypeKey.init))
    }

    /// Records the id SQLite assigned on insert.
    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
