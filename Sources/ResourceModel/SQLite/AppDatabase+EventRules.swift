import Foundation
import GRDB

extension AppDatabase {
    /// Every event rule, sorted by name.
    public func eventRules() async throws -> [EventRule] {
        try await writer.read { db in
            try EventRuleRecord.order(EventRuleRecord.Columns.name).fetchAll(db).map(\.rule)
        }
    }

    /// Stores `rule`, replacing the rule of the same name; returns `true` when it is new. The ingest uses the
    /// new rule from its next batch on.
    @discardableResult
    public func saveEventRule(_ rule: EventRule, at now: Date = Date()) async throws -> Bool {
        try await writer.write { db in
            var record = EventRuleRecord(rule, createdAt: now)
            let created = try record.saveByName(db)
            self.reloadEventRulesAfterCommit(db)
            return created
        }
    }

    /// Deletes the rule `name`; `false` when there is none. Events it made are kept.
    @discardableResult
    public func deleteEventRule(named name: String) async throws -> Bool {
        try await writer.write { db in
            let deleted = try EventRuleRecord.filter(EventRuleRecord.Columns.name == name).deleteAll(db) > 0
            self.reloadEventRulesAfterCommit(db)
            return deleted
        }
    }

    /// The rules the writer applies: the cache, loaded inside the caller's transaction when empty.
    func currentEventRules(_ db: Database) throws -> [EventRule] {
        if let rules = eventRuleCache.withLock({ $0 }) { return rules }
        let rules = try EventRuleRecord.order(EventRuleRecord.Columns.name).fetchAll(db).map(\.rule)
        eventRuleCache.withLock { $0 = rules }
        return rules
    }

    /// Empties the cache once the current transaction commits (writes are serialized, so the next writer
    /// transaction reloads the committed rules).
    private func reloadEventRulesAfterCommit(_ db: Database) {
        db.afterNextTransaction { _ in
            self.eventRuleCache.withLock { $0 = nil }
        }
    }
}
