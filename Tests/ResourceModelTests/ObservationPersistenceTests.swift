import Foundation
import LwM2M
import Testing

@testable import ResourceModel

@Suite("Observation store and profiles")
struct ObservationPersistenceTests {
    static func observation(_ id: String, endpoint: String = "dev-1", createdAt: Date = t0) -> Observation {
        Observation(
            id: id, endpoint: endpoint, registrationID: "reg-1",
            paths: [try! LwM2MPath("/3303/0/5700"), try! LwM2MPath("/3304/0/5700")], composite: true,
            token: [0xde, 0xad, 0xbe, 0xef], format: .senmlCBOR,
            attributes: NotificationAttributes(pmin: 1, pmax: 10, gt: 30.5), createdAt: createdAt)
    }

    @Test("save, replace, load and remove round-trip every field")
    func roundTrip() async throws {
        let database = try AppDatabase.inMemory()
        let store: any ObservationStore = database
        let first = Self.observation("o1")
        var second = Self.observation("o2", endpoint: "dev-2", createdAt: t0.addingTimeInterval(1))
        second.attributes = nil
        second.composite = false
        try await store.save(first)
        try await store.save(second)
        #expect(try await store.loadAll() == [first, second])
        var replaced = first
        replaced.token = [1]
        try await store.save(replaced)
        #expect(try await store.loadAll() == [replaced, second])
        try await store.remove(ids: ["o1", "unknown"])
        #expect(try await store.loadAll() == [second])
    }

    @Test("attributes are stored in their JSON form, as before the shared coding")
    func storedAttributesJSON() async throws {
        let database = try AppDatabase.inMemory()
        try await database.save(Self.observation("o1"))
        let stored = try await database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT attributes FROM observation WHERE id = 'o1'")
        }
        let object = try #require(try JSONSerialization.jsonObject(with: Data((stored ?? "").utf8)) as? [String: Double])
        #expect(object == ["pmin": 1, "pmax": 10, "gt": 30.5])
    }

    @Test("observations survive reopening a file database")
    func fileBacked() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await AppDatabase.open(directory: directory).save(Self.observation("kept"))
        #expect(try await AppDatabase.open(directory: directory).loadAll() == [Self.observation("kept")])
    }

    @Test("glob patterns", arguments: [
        ("sim-*", "sim-1", true), ("sim-*", "sim-", true), ("sim-*", "sim", false), ("sim-?", "sim-12", false),
        ("*-sensor", "a-b-sensor", true), ("a*b*c", "aXXbYYc", true), ("a*b*c", "aXXbYY", false), ("*", "", true),
        ("exact", "exact", true), ("exact", "Exact", false),
    ])
    func glob(pattern: String, name: String, matches: Bool) {
        #expect(GlobPattern(pattern).matches(name) == matches)
    }

    @Test("profiles match by endpoint glob and announced object")
    func matching() throws {
        let temperature = ObservationProfile(
            name: "temperature", objectID: 3303, endpointPattern: GlobPattern("sim-*"),
            paths: [try LwM2MPath("/3303/0/5700")], attributes: NotificationAttributes(pmin: 1, pmax: 10))
        let battery = ObservationProfile(name: "battery", paths: [try LwM2MPath("/3/0/9")])
        let profiles = [temperature, battery]
        #expect(ObservationProfile.profiles(profiles, matching: "sim-1", objectIDs: [3, 3303]) == [
            .init(profile: "temperature", paths: [try LwM2MPath("/3303/0/5700")], attributes: NotificationAttributes(pmin: 1, pmax: 10)),
            .init(profile: "battery", paths: [try LwM2MPath("/3/0/9")], attributes: nil),
        ])
        #expect(ObservationProfile.profiles(profiles, matching: "sim-1", objectIDs: [3]).map(\.profile) == ["battery"])
        #expect(ObservationProfile.profiles(profiles, matching: "other", objectIDs: [3303]).map(\.profile) == ["battery"])
    }

    @Test("profiles CRUD and matching from the database")
    func crud() async throws {
        let database = try AppDatabase.inMemory()
        let profile = ObservationProfile(
            name: "temperature", objectID: 3303, endpointPattern: GlobPattern("sim-*"),
            paths: [try LwM2MPath("/3303/0/5700")], attributes: NotificationAttributes(pmin: 1, pmax: 10))
        #expect(try await database.saveObservationProfile(profile) == true)
        var changed = profile
        changed.paths.append(try LwM2MPath("/3303/0/5601"))
        #expect(try await database.saveObservationProfile(changed) == false)
        #expect(try await database.observationProfiles() == [changed])
        #expect(try await database.observationProfiles(matching: "sim-7", objectIDs: [3303]).map(\.paths.count) == [2])
        #expect(try await database.observationProfiles(matching: "dev-7", objectIDs: [3303]) == [])
        #expect(try await database.deleteObservationProfile(named: "temperature") == true)
        #expect(try await database.deleteObservationProfile(named: "temperature") == false)
        #expect(try await database.observationProfiles() == [])
    }
}
