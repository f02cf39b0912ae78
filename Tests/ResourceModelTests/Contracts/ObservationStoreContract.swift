import Foundation
import LwM2M
import Testing

@testable import ResourceModel

/// The `ObservationStore` contract (the LwM2M server's persisted observations), for every backend.
@Suite("ObservationStore contract")
struct ObservationStoreContract {
    static func observation(_ id: String, createdAt: Date = t0, pmax: Int = 10) -> Observation {
        Observation(
            id: id, endpoint: "dev-1", registrationID: "reg-1",
            paths: [try! LwM2MPath("/3303/0/5700"), try! LwM2MPath("/3304/0/5700")], composite: true,
            token: [0xde, 0xad, 0xbe, 0xef], format: .senmlCBOR,
            attributes: NotificationAttributes(pmin: 1, pmax: pmax, gt: 30.5), createdAt: createdAt)
    }

    @Test("observations round-trip, oldest first", arguments: storeFactories)
    func roundTrip(_ factory: StoreFactory) async throws {
        let store = try factory.make().observations
        #expect(try await store.loadAll().isEmpty)
        let newer = Self.observation("b", createdAt: t0.addingTimeInterval(5))
        let older = Self.observation("a", createdAt: t0)
        try await store.save(newer)
        try await store.save(older)
        #expect(try await store.loadAll() == [older, newer])
    }

    @Test("saving an id again replaces it; removing ignores unknown ids", arguments: storeFactories)
    func replaceAndRemove(_ factory: StoreFactory) async throws {
        let store = try factory.make().observations
        try await store.save(Self.observation("a"))
        try await store.save(Self.observation("a", pmax: 60))
        try await store.save(Self.observation("b", createdAt: t0.addingTimeInterval(1)))
        #expect(try await store.loadAll().map(\.attributes?.pmax) == [60, 10])
        try await store.remove(ids: ["a", "nope"])
        #expect(try await store.loadAll().map(\.id) == ["b"])
        try await store.remove(ids: [])
        #expect(try await store.loadAll().count == 1)
    }
}
