import Foundation
import GRDB
import LwM2M

extension AppDatabase: EventStore {
    /// Events newest first, optionally of one `type`, one `endpoint`, in `from` (inclusive) ..< `to`, at most
    /// `limit` (clamped to 1...10000); `nil` when `endpoint` is given and has no row.
    public func events(
        type: String? = nil, endpoint: String? = nil, from: Date? = nil, to: Date? = nil, limit: Int = 100
    ) async throws -> [StoredEvent]? {
        try await writer.read { db in
            var conditions = ["e.timestamp >= ?", "e.timestamp < ?"]
            var arguments: StatementArguments = [
                from.map(EpochMilliseconds.from) ?? Int64.min, to.map(EpochMilliseconds.from) ?? Int64.max,
            ]
            if let endpoint {
                guard let endpointID = try Self.endpointID(endpoint, in: db) else { return nil }
                conditions.append("e.endpointId = ?")
                arguments += [endpointID]
            }
            if let type {
                conditions.append("e.type = ?")
                arguments += [type]
            }
            arguments += [Self.clampedLimit(limit)]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT e.id, e.type, p.name, e.timestamp FROM event AS e JOIN endpoint AS p ON p.id = e.endpointId
                    WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY e.timestamp DESC, e.id DESC LIMIT ?
                    """,
                arguments: arguments)
            var events = rows.map { row in
                StoredEvent(
                    id: row["id"], type: row["type"], endpoint: row["name"],
                    timestamp: EpochMilliseconds.date(row["timestamp"]), values: [])
            }
            guard !events.isEmpty else { return [] }
            let ids = events.map(\.id)
            let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
            let valueRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT er.eventId, t.objectId, r.objectInstanceId, t.resourceId, r.resourceInstanceId, t.dataType,
                        r.timestamp, r.valueInteger, r.valueReal, r.valueText, r.valueBlob, r.valueBool
                    FROM event_resource AS er
                    JOIN resource AS r ON r.id = er.resourceId
                    JOIN resource_type AS t ON t.id = r.resourceTypeId
                    WHERE er.eventId IN (\(placeholders))
                    """,
                arguments: StatementArguments(ids))
            var values: [Int64: [LatestValue]] = [:]
            for row in valueRows {
                let type = Self.dataType(row)
                values[row["eventId"], default: []].append(
                    LatestValue(
                        path: try Self.path(row), timestamp: EpochMilliseconds.date(row["timestamp"]), dataType: type,
                        value: Self.columns(row).value(as: type)))
            }
            for index in events.indices {
                events[index].values = (values[events[index].id] ?? []).sorted { $0.path < $1.path }
            }
            return events
        }
    }
}
