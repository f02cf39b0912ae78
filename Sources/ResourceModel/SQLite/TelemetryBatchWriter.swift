import Foundation
import GRDB
import LwM2M

/// Writes a batch of reports inside one transaction: `resource` rows, `resource_latest`, and the events the
/// rules make. A plain value the ingest creates per batch; its caches are copied in and the grown ones copied
/// back only after the transaction commits.
struct TelemetryBatchWriter {
    /// A resource type row as the writer needs it.
    struct ResourceType: Sendable {
        /// The row id.
        var id: Int64
        /// The data type values of it are stored as.
        var dataType: ResourceDataType
    }

    /// Lookups shared between batches.
    struct Caches: Sendable {
        /// Endpoint row ids by name (only endpoints that exist; rows are never re-keyed).
        var endpointIDs: [String: Int64] = [:]
        /// Resource type rows by object id and resource id.
        var resourceTypes: [ResourceTypeKey: ResourceType] = [:]
    }

    /// The caches; grown as rows are looked up or inserted.
    var caches: Caches
    /// The event rules in force.
    let rules: [EventRule]

    /// Writes every report (in order) and returns one outcome per report.
    mutating func write(_ reports: [DeviceReport], in db: Database) throws -> [TelemetryWriteOutcome] {
        try reports.map { try write($0, in: db) }
    }

    /// Writes one report.
    private mutating func write(_ report: DeviceReport, in db: Database) throws -> TelemetryWriteOutcome {
        guard let endpointID = try endpointID(report.endpoint, in: db) else { return .unknownEndpoint }
        let receivedAt = EpochMilliseconds.from(report.receivedAt)
        var stored = 0
        var skipped = 0
        var rows: [(key: ResourceTypeKey, rowID: Int64, timestamp: Int64, value: ReportedValue)] = []
        for reported in report.values {
            let path = reported.path
            guard path.depth >= 3, let objectID = path.objectID, let instanceID = path.instanceID,
                let resourceID = path.resourceID
            else {
                skipped += 1
                continue
            }
            let key = ResourceTypeKey(objectID: objectID, resourceID: resourceID)
            let type = try resourceType(key, for: reported.value, multiple: path.depth == 4, in: db)
            guard let columns = ResourceValueColumns(reported.value, as: type.dataType) else {
                skipped += 1
                continue
            }
            let timestamp = reported.timestamp.map(EpochMilliseconds.from) ?? receivedAt
            var record = ResourceRecord(
                endpointId: endpointID, resourceTypeId: type.id, objectInstanceId: Int(instanceID),
                resourceInstanceId: path.resourceInstanceID.map(Int.init), columns: columns, timestamp: timestamp,
                receivedAt: receivedAt)
            try record.insert(db)
            guard let rowID = record.id else { preconditionFailure("inserted resource row has no id") }
            // A cached statement: this runs once per stored value (the profile showed the SQL parser otherwise).
            try db.cachedStatement(
                sql: """
                    INSERT INTO resource_latest
                        (endpointId, resourceTypeId, objectInstanceId, resourceInstanceKey, resourceId, timestamp)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (endpointId, resourceTypeId, objectInstanceId, resourceInstanceKey) DO UPDATE
                    SET resourceId = excluded.resourceId, timestamp = excluded.timestamp
                    WHERE excluded.timestamp >= resource_latest.timestamp
                    """
            ).execute(
                arguments: [endpointID, type.id, Int(instanceID), path.resourceInstanceID.map(Int.init) ?? -1, rowID,
                            timestamp])
            rows.append((key, rowID, timestamp, reported))
            stored += 1
        }
        var events: [TelemetryWriteOutcome.CreatedEvent] = []
        for rule in rules {
            let matched = rows.filter { rule.matches($0.key) }
            guard let timestamp = matched.map(\.timestamp).max() else { continue }
            var event = EventRecord(endpointId: endpointID, type: rule.name, timestamp: timestamp)
            try event.insert(db)
            guard let eventID = event.id else { preconditionFailure("inserted event row has no id") }
            for row in matched {
                try EventResourceRecord(eventId: eventID, resourceId: row.rowID).insert(db)
            }
            events.append(.init(type: rule.name, id: eventID, values: matched.map(\.value)))
        }
        return .stored(stored: stored, skipped: skipped, events: events)
    }

    /// The row id of endpoint `name`, cached; `nil` when it has no row.
    private mutating func endpointID(_ name: String, in db: Database) throws -> Int64? {
        if let id = caches.endpointIDs[name] { return id }
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM endpoint WHERE name = ?", arguments: [name]) else {
            return nil
        }
        caches.endpointIDs[name] = id
        return id
    }

    /// The resource type row of `key`, cached; inserted (typed by `value`) when the model does not know it.
    private mutating func resourceType(_ key: ResourceTypeKey, for value: LwM2MValue, multiple: Bool, in db: Database)
        throws -> ResourceType
    {
        if let type = caches.resourceTypes[key] { return type }
        typealias Columns = ResourceTypeRecord.Columns
        var record = try ResourceTypeRecord
            .filter(Columns.objectId == Int(key.objectID) && Columns.resourceId == Int(key.resourceID))
            .fetchOne(db)
        if record == nil {
            var inserted = ResourceTypeRecord(
                objectId: Int(key.objectID), resourceId: Int(key.resourceID), name: "Resource \(key)",
                dataType: DDFParser.ddfName(of: value.dataType), units: nil, multiple: multiple,
                mandatory: false, operations: "")
            try inserted.insert(db)
            record = inserted
        }
        guard let record, let id = record.id else { preconditionFailure("resource type row has no id") }
        var dataType = DDFParser.dataType(fromDDF: record.dataType) ?? .none
        if dataType == .none { dataType = value.dataType }  // an executable in the model, yet a value arrived
        let type = ResourceType(id: id, dataType: dataType)
        caches.resourceTypes[key] = type
        return type
    }
}
