import Foundation
import GRDB
import LwM2M

extension AppDatabase: TelemetryStore {
    /// Writes a batch of reports with `TelemetryBatchWriter` in one transaction. The writer's lookups are kept
    /// between batches and replaced only after a commit; a failed batch forgets them (a stale row id may be
    /// the cause). Once the task is cancelled (hard shutdown), writes synchronously instead of giving up.
    public func write(_ reports: [DeviceReport]) async throws -> [TelemetryWriteOutcome] {
        let caches = telemetryCaches.withLock { $0 }
        let work: @Sendable (Database) throws -> ([TelemetryWriteOutcome], TelemetryBatchWriter.Caches) = { db in
            var writer = TelemetryBatchWriter(caches: caches, rules: try self.currentEventRules(db))
            let outcomes = try writer.write(reports, in: db)
            return (outcomes, writer.caches)
        }
        let result: ([TelemetryWriteOutcome], TelemetryBatchWriter.Caches)
        do {
            do {
                result = try await writer.write(work)
            } catch is CancellationError {
                // The cancelled transaction was rolled back; write this batch anyway.
                result = try writeIgnoringCancellation(work)
            }
        } catch {
            telemetryCaches.withLock { $0 = .init() }
            throw error
        }
        telemetryCaches.withLock { $0 = result.1 }
        return result.0
    }

    /// Runs `work` in a write transaction, blocking the calling thread (ignores task cancellation).
    private func writeIgnoringCancellation<T>(_ work: (Database) throws -> T) throws -> T {
        try writer.write(work)
    }

    /// One page of a series' values; `nil` when the endpoint has no row. Keyset paging on `(timestamp, id)`
    /// over the index `resource_on_series`; `from` is inclusive, `to` exclusive.
    public func telemetry(_ query: TelemetryQuery) async throws -> TelemetryPage? {
        try await writer.read { db in
            guard let series = try Self.series(of: query, in: db) else { return nil }
            guard let typeID = series.typeID else { return TelemetryPage(dataType: nil, points: [], nextCursor: nil) }
            let limit = Self.clampedLimit(query.limit)
            var sql = """
                SELECT id, timestamp, valueInteger, valueReal, valueText, valueBlob, valueBool FROM resource
                WHERE \(Self.seriesCondition(query.path))
                """
            var arguments = Self.seriesArguments(query, endpointID: series.endpointID, typeID: typeID)
            let descending = query.order == .descending
            if let cursor = query.cursor {
                sql += descending ? " AND (timestamp, id) < (?, ?)" : " AND (timestamp, id) > (?, ?)"
                arguments += [cursor.timestamp, cursor.id]
            }
            sql += descending ? " ORDER BY timestamp DESC, id DESC" : " ORDER BY timestamp, id"
            sql += " LIMIT ?"
            arguments += [limit + 1]
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let points = rows.prefix(limit).map { row in
                TelemetryPoint(
                    id: row["id"], timestamp: EpochMilliseconds.date(row["timestamp"]),
                    value: Self.columns(row).value(as: series.dataType))
            }
            // From the stored integer, not the `Date` (a `Double`): beyond 2^53 ms (rows stored before device times
            // were range-checked) the round trip moves the cursor, and a page would repeat or skip rows.
            let next = rows.count > limit
                ? rows.prefix(limit).last.map { TelemetryCursor(timestamp: $0["timestamp"], id: $0["id"]) } : nil
            return TelemetryPage(dataType: series.dataType, points: Array(points), nextCursor: next)
        }
    }

    /// One page of a series aggregated into buckets of `width` milliseconds (aligned to the epoch:
    /// `timestamp / width * width` in SQL integer arithmetic); `nil` when the endpoint has no row. Throws
    /// `TelemetryQueryError` for `avg`, `min`, `max` over a non-numeric series. The cursor is the last bucket's
    /// start.
    public func telemetryBuckets(_ query: TelemetryQuery, width: Int64, aggregation: TelemetryAggregation)
        async throws -> TelemetryBucketPage?
    {
        precondition(width > 0, "bucket width must be positive")
        return try await writer.read { db in
            guard let series = try Self.series(of: query, in: db) else { return nil }
            guard let typeID = series.typeID else {
                return TelemetryBucketPage(dataType: nil, buckets: [], nextCursor: nil)
            }
            guard aggregation.supports(series.dataType) else {
                throw TelemetryQueryError(
                    "'\(aggregation.rawValue)' needs a numeric resource; \(query.path) is \(series.dataType.rawValue)")
            }
            let limit = Self.clampedLimit(query.limit)
            let descending = query.order == .descending
            let number = "coalesce(valueReal, valueInteger)"
            let aggregate =
                switch aggregation {
                case .avg: "avg(\(number)) AS aggregate"
                case .min: "min(\(number)) AS aggregate"
                case .max: "max(\(number)) AS aggregate"
                case .count: "NULL AS aggregate"
                case .last: "max(timestamp) AS latest, valueInteger, valueReal, valueText, valueBlob, valueBool"
                }
            var sql = """
                SELECT (timestamp / ?) * ? AS start, count(*) AS n, \(aggregate) FROM resource
                WHERE \(Self.seriesCondition(query.path))
                """
            var arguments: StatementArguments = [width, width]
            arguments += Self.seriesArguments(query, endpointID: series.endpointID, typeID: typeID)
            if let cursor = query.cursor {
                if descending {
                    sql += " AND timestamp < ?"
                    arguments += [cursor.timestamp]
                } else {
                    sql += " AND timestamp >= ?"
                    arguments += [cursor.timestamp.addingReportingOverflow(width).partialValue]
                }
            }
            sql += " GROUP BY start ORDER BY start \(descending ? "DESC" : "ASC") LIMIT ?"
            arguments += [limit + 1]
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let buckets = rows.prefix(limit).map { row -> TelemetryBucket in
                let count: Int = row["n"]
                let value: LwM2MValue? =
                    switch aggregation {
                    case .count: .integer(Int64(count))
                    case .avg: (row["aggregate"] as Double?).map(LwM2MValue.float)
                    case .min, .max: Self.number(row["aggregate"], as: series.dataType)
                    case .last: Self.columns(row).value(as: series.dataType)
                    }
                return TelemetryBucket(start: EpochMilliseconds.date(row["start"]), value: value, count: count)
            }
            let next = rows.count > limit ? buckets.last.map { TelemetryCursor(timestamp: EpochMilliseconds.from($0.start), id: 0) } : nil
            return TelemetryBucketPage(dataType: series.dataType, buckets: Array(buckets), nextCursor: next)
        }
    }

    /// The newest value of every series of `endpoint`, sorted by path; `nil` when the endpoint has no row.
    /// Reads `resource_latest` (one row per series), never the whole history.
    public func latestValues(endpoint: String) async throws -> [LatestValue]? {
        try await writer.read { db in
            guard let endpointID = try Self.endpointID(endpoint, in: db) else { return nil }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT t.objectId, l.objectInstanceId, t.resourceId, r.resourceInstanceId, t.dataType,
                        r.timestamp, r.valueInteger, r.valueReal, r.valueText, r.valueBlob, r.valueBool
                    FROM resource_latest AS l
                    JOIN resource AS r ON r.id = l.resourceId
                    JOIN resource_type AS t ON t.id = l.resourceTypeId
                    WHERE l.endpointId = ?
                    """,
                arguments: [endpointID])
            return try rows.map { row in
                let path = try Self.path(row)
                let type = Self.dataType(row)
                return LatestValue(
                    path: path, timestamp: EpochMilliseconds.date(row["timestamp"]), dataType: type,
                    value: Self.columns(row).value(as: type))
            }.sorted { $0.path < $1.path }
        }
    }

    // MARK: - Shared pieces

    /// The series a query is about: endpoint row id, resource type row id (nil when never stored), data type.
    struct SeriesIDs {
        var endpointID: Int64
        var typeID: Int64?
        var dataType: ResourceDataType
    }

    /// Looks up the endpoint and resource type of `query`; `nil` when the endpoint has no row.
    static func series(of query: TelemetryQuery, in db: Database) throws -> SeriesIDs? {
        guard let endpointID = try endpointID(query.endpoint, in: db) else { return nil }
        guard let objectID = query.path.objectID, let resourceID = query.path.resourceID,
            let row = try Row.fetchOne(
                db, sql: "SELECT id, dataType FROM resource_type WHERE objectId = ? AND resourceId = ?",
                arguments: [Int(objectID), Int(resourceID)])
        else { return SeriesIDs(endpointID: endpointID, typeID: nil, dataType: .none) }
        return SeriesIDs(endpointID: endpointID, typeID: row["id"], dataType: dataType(row))
    }

    /// The row id of endpoint `name`, or `nil`.
    static func endpointID(_ name: String, in db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM endpoint WHERE name = ?", arguments: [name])
    }

    /// The WHERE clause selecting one series and a time range (arguments from `seriesArguments`).
    static func seriesCondition(_ path: LwM2MPath) -> String {
        let instance = path.resourceInstanceID == nil ? "resourceInstanceId IS NULL" : "resourceInstanceId = ?"
        return """
            endpointId = ? AND resourceTypeId = ? AND objectInstanceId = ? AND \(instance) \
            AND timestamp >= ? AND timestamp <= ?
            """
    }

    /// The arguments of `seriesCondition`.
    static func seriesArguments(_ query: TelemetryQuery, endpointID: Int64, typeID: Int64) -> StatementArguments {
        var arguments: StatementArguments = [endpointID, typeID, Int(query.path.instanceID ?? 0)]
        if let instance = query.path.resourceInstanceID { arguments += [Int(instance)] }
        // `to` is exclusive: the last included millisecond is the one before it. Without `to`, every row counts,
        // up to `Int64.max` itself (a time stored before device times were range-checked).
        let last = query.to.map { EpochMilliseconds.from($0) }.map { $0 == .min ? .min : $0 - 1 } ?? Int64.max
        arguments += [query.from.map(EpochMilliseconds.from) ?? Int64.min, last]
        return arguments
    }

    /// `limit` within 1...`TelemetryQuery.maxLimit`.
    static func clampedLimit(_ limit: Int) -> Int {
        min(max(limit, 1), TelemetryQuery.maxLimit)
    }

    /// The `value*` columns of a row.
    static func columns(_ row: Row) -> ResourceValueColumns {
        ResourceValueColumns(
            integer: row["valueInteger"], real: row["valueReal"], text: row["valueText"], blob: row["valueBlob"],
            bool: row["valueBool"])
    }

    /// The data type of a row's `dataType` column.
    static func dataType(_ row: Row) -> ResourceDataType {
        DDFParser.dataType(fromDDF: row["dataType"]) ?? .none
    }

    /// The path of a row with `objectId`, `objectInstanceId`, `resourceId`, `resourceInstanceId`.
    static func path(_ row: Row) throws -> LwM2MPath {
        var ids: [UInt16] = [row["objectId"], row["objectInstanceId"], row["resourceId"]]
        if let instance: UInt16 = row["resourceInstanceId"] { ids.append(instance) }
        return try LwM2MPath(ids: ids)
    }

    /// A SQL min/max result typed like the series.
    static func number(_ value: DatabaseValue, as type: ResourceDataType) -> LwM2MValue? {
        switch value.storage {
        case .int64(let n):
            switch type {
            case .unsignedInteger: return .unsignedInteger(UInt64(bitPattern: n))
            case .float: return .float(Double(n))
            default: return .integer(n)
            }
        case .double(let x): return .float(x)
        case .null, .string, .blob: return nil
        }
    }
}
