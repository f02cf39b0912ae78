import Foundation
import GRDB
import LwM2M

extension AppDatabase: EndpointStore {
    /// Writes a batch of registry events in ONE transaction, in order; the batch commits entirely or not at all.
    /// Once the task is cancelled (hard shutdown), writes synchronously instead of giving up (applying is
    /// idempotent, and the cancelled transaction was rolled back).
    ///
    /// - `.registered`, `.updated`: upsert by endpoint name with every field of the registration, `online = true`,
    ///   `lastSeen = lastUpdate`. A registration id still held by another (stale) row is released from it first.
    /// - `.deregistered`, `.expired`: `online = false` on the row of that name, only if it still holds that
    ///   registration id (a late event about a replaced registration must not take the new one offline).
    public func apply(_ events: [RegistrationEvent]) async throws {
        guard !events.isEmpty else { return }
        do {
            try await writer.write { db in try Self.apply(events, in: db) }
        } catch is CancellationError {
            try applyIgnoringCancellation(events)
        }
    }

    /// `apply(_:)` without task cancellation: blocks the calling thread for the duration of the transaction.
    func applyIgnoringCancellation(_ events: [RegistrationEvent]) throws {
        guard !events.isEmpty else { return }
        try writer.write { db in try Self.apply(events, in: db) }
    }

    /// The registrations of every online endpoint, sorted by name: what the in-memory registry restores at startup.
    /// Rows that cannot be turned back into a registration (unknown version) are skipped.
    public func onlineRegistrations() async throws -> [Registration] {
        try await endpoints(online: true).compactMap { $0.registration() }
    }

    /// Endpoints sorted by name, optionally only those `online` (or offline) or whose name starts with
    /// `namePrefix` (case-sensitive), paged with `limit` and `offset`.
    public func endpoints(
        online: Bool? = nil, namePrefix: String? = nil, limit: Int? = nil, offset: Int = 0
    ) async throws -> [StoredEndpoint] {
        try await writer.read { db in
            var request = EndpointRecord.all()
            if let online {
                request = request.filter(EndpointRecord.Columns.online == online)
            }
            if let namePrefix, !namePrefix.isEmpty {
                let name = EndpointRecord.Columns.name
                request = request.filter(literal: "substr(\(name), 1, length(\(namePrefix))) = \(namePrefix)")
            }
            request = request.order(EndpointRecord.Columns.name)
            if let limit {
                request = request.limit(max(limit, 0), offset: max(offset, 0))
            } else if offset > 0 {
                request = request.limit(-1, offset: offset)
            }
            return try request.fetchAll(db).map(\.stored)
        }
    }

    /// One page of the endpoints `filter` lets through, in SQL: the name test on `swiftLowercaseString` (GRDB's
    /// Unicode lowercasing, as `EndpointFilter.matches`), the object test on the `objectLinks` JSON text, name sets as
    /// JSON array parameters, the page by keyset (`name > after`) on the unique name index. One read
    /// transaction, so the count and the page agree.
    public func endpointPage(_ filter: EndpointFilter, after: String?, limit: Int?) async throws -> EndpointPage {
        try await writer.read { db in
            var conditions: [SQL] = []
            if let online = filter.online { conditions.append("online = \(online)") }
            if let text = filter.nameContains, !text.isEmpty {
                conditions.append("instr(swiftLowercaseString(name), \(text.lowercased())) > 0")
            }
            if let object = filter.objectID {
                // The column is this table's own compact JSON (`EndpointRecord.Link`): a member `"objectId":N`
                // ends with `,` or `}`. A text search is ten times faster than `json_each` over every row.
                let member = "\"objectId\":\(object)"
                conditions.append("instr(objectLinks, \(member + ",")) > 0 OR instr(objectLinks, \(member + "}")) > 0")
            }
            if let names = filter.names {
                conditions.append("name IN (SELECT value FROM json_each(\(try Self.jsonArray(names))))")
            }
            if let excluded = filter.excludedNames, !excluded.isEmpty {
                conditions.append("name NOT IN (SELECT value FROM json_each(\(try Self.jsonArray(excluded))))")
            }
            let matching: SQL = conditions.isEmpty ? "1" : conditions.map { "(\($0))" }.joined(separator: " AND ")
            let total = try Int.fetchOne(db, SQLRequest<Int>(literal: "SELECT COUNT(*) FROM endpoint WHERE \(matching)")) ?? 0
            var page: SQL = "SELECT * FROM endpoint WHERE \(matching)"
            if let after { page += " AND name > \(after)" }
            page += " ORDER BY name"
            if let limit { page += " LIMIT \(max(limit, 0))" }
            let rows = try EndpointRecord.fetchAll(db, SQLRequest<EndpointRecord>(literal: page))
            return EndpointPage(endpoints: rows.map(\.stored), total: total)
        }
    }

    /// `names` as a JSON array text, for `json_each`.
    private static func jsonArray(_ names: Set<String>) throws -> String {
        String(decoding: try JSONEncoder().encode(Array(names)), as: UTF8.self)
    }

    /// The endpoint `name`, or `nil` when that name never registered.
    public func endpoint(named name: String) async throws -> StoredEndpoint? {
        try await writer.read { db in
            try EndpointRecord.filter(EndpointRecord.Columns.name == name).fetchOne(db)?.stored
        }
    }

    /// The names of every endpoint `pattern` matches, sorted (the targets of a bulk operation).
    public func endpointNames(matching pattern: GlobPattern) async throws -> [String] {
        try await writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM endpoint ORDER BY name").filter(pattern.matches)
        }
    }

    /// Applies `events` in order inside the caller's transaction.
    static func apply(_ events: [RegistrationEvent], in db: Database) throws {
        for event in events {
            switch event {
            case .registered(let registration, replaced: _), .updated(let registration):
                try upsert(registration, in: db)
            case .deregistered(let registration), .expired(let registration):
                try markOffline(registration, in: db)
            }
        }
    }

    /// Inserts or overwrites the row of `registration.endpoint`.
    private static func upsert(_ registration: Registration, in db: Database) throws {
        typealias Columns = EndpointRecord.Columns
        // Registration ids are unique among rows; an offline row may still hold one the registry hands out again.
        try EndpointRecord
            .filter(Columns.registrationId == registration.id && Columns.name != registration.endpoint)
            .updateAll(db, Columns.registrationId.set(to: nil))
        if var record = try EndpointRecord.filter(Columns.name == registration.endpoint).fetchOne(db) {
            record.update(from: registration)
            try record.update(db)
        } else {
            var record = EndpointRecord(registration: registration, createdAt: registration.registeredAt)
            try record.insert(db)
        }
    }

    /// Marks the row offline if it still holds `registration`'s id; keeps every other column.
    private static func markOffline(_ registration: Registration, in db: Database) throws {
        typealias Columns = EndpointRecord.Columns
        try EndpointRecord
            .filter(Columns.name == registration.endpoint && Columns.registrationId == registration.id)
            .updateAll(db, Columns.online.set(to: false))
    }
}
