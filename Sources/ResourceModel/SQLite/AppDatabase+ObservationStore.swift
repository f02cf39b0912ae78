import GRDB
import LwM2M

extension AppDatabase: ObservationStore {
    /// Stores (or replaces, by id) an observation.
    public func save(_ observation: Observation) async throws {
        try await writer.write { db in try ObservationRecord(observation).save(db) }
    }

    /// Removes observations by id (unknown ids are ignored).
    public func remove(ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        _ = try await writer.write { db in try ObservationRecord.deleteAll(db, keys: ids) }
    }

    /// Every stored observation, oldest first; rows that no longer parse are skipped.
    public func loadAll() async throws -> [Observation] {
        try await writer.read { db in
            try ObservationRecord.order(ObservationRecord.Columns.createdAt, ObservationRecord.Columns.id)
                .fetchAll(db).compactMap(\.observation)
        }
    }
}
