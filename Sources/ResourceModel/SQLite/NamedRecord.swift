import Foundation
import GRDB

/// A row kept under a unique `name` whose id and creation instant survive a replacement (event rules,
/// observation profiles).
protocol NamedRecord: MutablePersistableRecord, FetchableRecord {
    var id: Int64? { get set }
    var name: String { get }
    var createdAt: Date { get set }
}

extension NamedRecord {
    /// Inserts this row, or replaces the row of the same name keeping its id and creation instant; `true` when
    /// the name is new.
    mutating func saveByName(_ db: Database) throws -> Bool {
        if let existing = try Self.filter(Column("name") == name).fetchOne(db) {
            id = existing.id
            createdAt = existing.createdAt
            try update(db)
            return false
        }
        try insert(db)
        return true
    }
}
