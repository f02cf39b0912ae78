import Foundation

/// Named observation profiles: what to observe on every endpoint that matches. `AppDatabase` implements it.
public protocol ObservationProfileStore: Sendable {
    /// Every profile, sorted by name.
    func observationProfiles() async throws -> [ObservationProfile]

    /// Stores `profile`, replacing the profile of the same name; `true` when it is new.
    @discardableResult
    func saveObservationProfile(_ profile: ObservationProfile, at now: Date) async throws -> Bool

    /// Deletes the profile `name`; `false` when there is none. Observations it started stay.
    @discardableResult
    func deleteObservationProfile(named name: String) async throws -> Bool
}

extension ObservationProfileStore {
    /// What the stored profiles ask for `endpoint` announcing `objectIDs` (see `ObservationProfile.profiles`).
    public func observationProfiles(matching endpoint: String, objectIDs: [UInt16]) async throws
        -> [ObservationProfile.Match]
    {
        ObservationProfile.profiles(try await observationProfiles(), matching: endpoint, objectIDs: objectIDs)
    }
}
