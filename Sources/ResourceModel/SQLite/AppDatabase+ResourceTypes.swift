import GRDB
import LwM2M

extension AppDatabase {
    /// Upserts one `resource_type` row per resource of the newest version of every object in `registry`, in one
    /// transaction. Idempotent: a row that already matches is not written, so a second run changes nothing.
    ///
    /// Rows of resources the registry no longer has are kept: deleting them would cascade to their stored values.
    @discardableResult
    public func syncResourceTypes(from registry: ObjectModelRegistry) async throws -> ResourceTypeSyncResult {
        let wanted = registry.objectIDs.compactMap { registry.object($0) }.flatMap { object in
            object.resources.keys.sorted().compactMap { object.resources[$0] }.map {
                ResourceTypeRecord(objectID: object.id, resource: $0)
            }
        }
        return try await writer.write { db in
            typealias Columns = ResourceTypeRecord.Columns
            var existing: [[Int]: ResourceTypeRecord] = [:]
            for record in try ResourceTypeRecord.fetchAll(db) {
                existing[[record.objectId, record.resourceId]] = record
            }
            var result = ResourceTypeSyncResult()
            for var record in wanted {
                guard let stored = existing[[record.objectId, record.resourceId]] else {
                    try record.insert(db)
                    result.inserted += 1
                    continue
                }
                record.id = stored.id
                if record == stored {
                    result.unchanged += 1
                } else {
                    try record.update(db)
                    result.updated += 1
                }
            }
            return result
        }
    }

    /// Every resource type, by object id then resource id.
    public func resourceTypes() async throws -> [ResourceType] {
        try await writer.read { db in
            try ResourceTypeRecord
                .order(ResourceTypeRecord.Columns.objectId, ResourceTypeRecord.Columns.resourceId)
                .fetchAll(db).map(\.type)
        }
    }
}
