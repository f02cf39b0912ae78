import Foundation
import LwM2M
import Testing

@testable import ResourceModel

/// The `ObservationProfileStore` contract, for every backend in `storeFactories`.
@Suite("ObservationProfileStore contract")
struct ObservationProfileStoreContract {
    static let temperature = ObservationProfile(
        name: "temperature", objectID: 3303, endpointPattern: GlobPattern("sensor-*"),
        paths: [try! LwM2MPath("/3303/0/5700")], attributes: NotificationAttributes(pmin: 1, pmax: 10))

    @Test("profiles: new or replaced, sorted by name, deleted once", arguments: storeFactories)
    func saveListDelete(_ factory: StoreFactory) async throws {
        let store = try factory.make().observationProfiles
        #expect(try await store.observationProfiles().isEmpty)
        #expect(try await store.saveObservationProfile(Self.temperature, at: t0))
        let battery = ObservationProfile(name: "battery", paths: [try LwM2MPath("/3/0/9")])
        #expect(try await store.saveObservationProfile(battery, at: t0))
        var replaced = Self.temperature
        replaced.attributes = NotificationAttributes(pmin: 5, pmax: 60)
        #expect(try await store.saveObservationProfile(replaced, at: t0) == false)
        #expect(try await store.observationProfiles() == [battery, replaced])
        #expect(try await store.deleteObservationProfile(named: "battery"))
        #expect(try await store.deleteObservationProfile(named: "battery") == false)
        #expect(try await store.observationProfiles() == [replaced])
    }

    @Test("matching uses the stored profiles' endpoint glob and object", arguments: storeFactories)
    func matching(_ factory: StoreFactory) async throws {
        let store = try factory.make().observationProfiles
        try await store.saveObservationProfile(Self.temperature, at: t0)
        #expect(try await store.observationProfiles(matching: "sensor-1", objectIDs: [3, 3303]).map(\.profile)
            == ["temperature"])
        #expect(try await store.observationProfiles(matching: "sensor-1", objectIDs: [3]).isEmpty)
        #expect(try await store.observationProfiles(matching: "meter-1", objectIDs: [3303]).isEmpty)
    }
}
