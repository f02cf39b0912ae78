import Foundation
import GRDB

extension AppDatabase: ObservationProfileStore {
    /// Every observation profile, sorted by name.
    public func observationProfiles() async throws -> [ObservationProfile] {
        try await writer.read { db in
            try ObservationProfileRecord.order(ObservationProfileRecord.Columns.name).fetchAll(db).map(\.profile)
        }
    }

    /// Stores `profile`, replacing the profile of the same name; returns `true` when it is new.
    @discardableResult
    public func saveObservationProfile(_ profile: ObservationProfile, at now: Date = Date()) async throws -> Bool {
        try await writer.write { db in
            var record = ObservationProfileRecord(profile, createdAt: now)
            return try record.saveByName(db)
        }
    }

    /// Deletes the profile `name`; `false` when there is none. Observations it started stay.
    @discardableResult
    public func deleteObservationProfile(named name: String) async throws -> Bool {
        try await writer.write { db in
            try ObservationProfileRecord.filter(ObservationProfileRecord.Columns.name == name).deleteAll(db) > 0
        }
    }
}
