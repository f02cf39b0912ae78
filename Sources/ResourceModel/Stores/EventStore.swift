import Foundation

/// Events the ingest's rules made, and the rules themselves. `AppDatabase` implements it over SQLite.
public protocol EventStore: Sendable {
    /// Events newest first, optionally of one `type`, one `endpoint`, in `from` (inclusive) ..< `to`, at most
    /// `limit` (clamped to 1...`TelemetryQuery.maxLimit`); `nil` when `endpoint` is given and not stored.
    func events(type: String?, endpoint: String?, from: Date?, to: Date?, limit: Int) async throws -> [StoredEvent]?

    /// Every event rule, sorted by name.
    func eventRules() async throws -> [EventRule]

    /// Stores `rule`, replacing the rule of the same name (keeping its creation instant); `true` when it is new.
    /// The ingest applies it from its next batch on.
    @discardableResult
    func saveEventRule(_ rule: EventRule, at now: Date) async throws -> Bool

    /// Deletes the rule `name`; `false` when there is none. Events it made are kept.
    @discardableResult
    func deleteEventRule(named name: String) async throws -> Bool
}

