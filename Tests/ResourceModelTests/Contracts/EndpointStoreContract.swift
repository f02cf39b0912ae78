import Foundation
import LwM2M
import Testing

@testable import ResourceModel

/// The `EndpointStore` contract, for every backend in `storeFactories`.
@Suite("EndpointStore contract")
struct EndpointStoreContract {
    @Test("a registration reads back field by field and as the same registration", arguments: storeFactories)
    func registrationRoundTrip(_ factory: StoreFactory) async throws {
        let store = try factory.make().endpoints
        var registration = makeRegistration(smsNumber: "+15550100")
        registration.transport = .dtls
        try await store.apply([.registered(registration, replaced: nil)])

        let stored = try #require(try await store.endpoint(named: "dev-1"))
        #expect(stored.name == "dev-1")
        #expect(stored.registrationId == "reg-1")
        #expect(stored.smsNumber == "+15550100")
        #expect(stored.transport == "dtls")
        #expect(stored.objectLinks == registration.objectLinks)
        #expect(stored.supportedContentFormats == [110, 112])
        #expect(stored.online)
        #expect(stored.createdAt == t0)
        #expect(stored.registration() == registration)
        #expect(try await store.onlineRegistrations() == [registration])
    }

    @Test("an unknown name is nil; an empty store lists nothing", arguments: storeFactories)
    func notFound(_ factory: StoreFactory) async throws {
        let store = try factory.make().endpoints
        #expect(try await store.endpoint(named: "nobody") == nil)
        #expect(try await store.endpoints(online: nil, namePrefix: nil, limit: nil, offset: 0).isEmpty)
        #expect(try await store.onlineRegistrations().isEmpty)
        try await store.apply([])
        #expect(try await store.endpoints(online: nil, namePrefix: nil, limit: nil, offset: 0).isEmpty)
    }

    @Test("an update overwrites the registration and keeps createdAt; a stale de-register changes nothing",
          arguments: storeFactories)
    func updateAndStaleDeregister(_ factory: StoreFactory) async throws {
        let store = try factory.make().endpoints
        let first = makeRegistration()
        try await store.apply([.registered(first, replaced: nil)])
        let later = t0.addingTimeInterval(60)
        let updated = makeRegistration(lifetime: 900, binding: "UQ", lastUpdate: later,
                                       objectLinks: [ObjectLink(objectID: 3, instanceID: 0)])
        try await store.apply([.updated(updated)])
        let afterUpdate = try #require(try await store.endpoint(named: "dev-1"))
        #expect(afterUpdate.lifetime == 900)
        #expect(afterUpdate.binding == "UQ")
        #expect(afterUpdate.lastSeen == later)
        #expect(afterUpdate.createdAt == t0)
        #expect(afterUpdate.objectLinks.map(\.path) == ["/3/0"])

        try await store.apply([.deregistered(makeRegistration(id: "other-id"))])
        #expect(try await store.endpoint(named: "dev-1")?.online == true)
        try await store.apply([.expired(updated)])
        #expect(try await store.endpoint(named: "dev-1")?.online == false)
        #expect(try await store.onlineRegistrations().isEmpty)
    }

    @Test("one batch applies in order: register then de-register ends offline", arguments: storeFactories)
    func batchOrder(_ factory: StoreFactory) async throws {
        let store = try factory.make().endpoints
        let registration = makeRegistration()
        try await store.apply([.registered(registration, replaced: nil), .deregistered(registration)])
        #expect(try await store.endpoint(named: "dev-1")?.online == false)
        try await store.apply([.registered(registration, replaced: nil)])
        #expect(try await store.endpoint(named: "dev-1")?.online == true)
    }

    @Test("a registration id handed out again is released from the stale endpoint", arguments: storeFactories)
    func registrationIDReuse(_ factory: StoreFactory) async throws {
        let store = try factory.make().endpoints
        let old = makeRegistration(endpoint: "dev-1", id: "reg-x")
        try await store.apply([.registered(old, replaced: nil), .expired(old)])
        try await store.apply([.registered(makeRegistration(endpoint: "dev-2", id: "reg-x"), replaced: nil)])
        #expect(try await store.endpoint(named: "dev-1")?.registrationId == nil)
        #expect(try await store.endpoint(named: "dev-2")?.registrationId == "reg-x")
        #expect(try await store.onlineRegistrations().map(\.endpoint) == ["dev-2"])
    }

    @Test("listing is sorted by name, filters by online and prefix, and pages with limit and offset",
          arguments: storeFactories)
    func listing(_ factory: StoreFactory) async throws {
        let stores = try factory.make()
        let store = stores.endpoints
        try await stores.register(["b-2", "a-1", "b-1", "c-1"])
        try await store.apply([.deregistered(makeRegistration(endpoint: "b-1", id: "reg-b-1"))])

        func names(online: Bool? = nil, prefix: String? = nil, limit: Int? = nil, offset: Int = 0) async throws
            -> [String]
        {
            try await store.endpoints(online: online, namePrefix: prefix, limit: limit, offset: offset).map(\.name)
        }
        #expect(try await names() == ["a-1", "b-1", "b-2", "c-1"])
        #expect(try await names(online: true) == ["a-1", "b-2", "c-1"])
        #expect(try await names(online: false) == ["b-1"])
        #expect(try await names(prefix: "b-") == ["b-1", "b-2"])
        #expect(try await names(prefix: "B-") == [])
        #expect(try await names(limit: 2) == ["a-1", "b-1"])
        #expect(try await names(limit: 2, offset: 2) == ["b-2", "c-1"])
        #expect(try await names(limit: 2, offset: 4) == [])
        #expect(try await names(offset: 3) == ["c-1"])
        #expect(try await store.onlineRegistrations().map(\.endpoint) == ["a-1", "b-2", "c-1"])
    }

    @Test("a page: filters by online, name (contains, any case), object and name sets; a keyset cursor; the total",
          arguments: storeFactories)
    func page(_ factory: StoreFactory) async throws {
        let store = try factory.make().endpoints
        let device = [ObjectLink(objectID: 3, instanceID: 0)]
        let sensor = device + [ObjectLink(objectID: 3303, instanceID: 0), ObjectLink(objectID: 3303, instanceID: 1)]
        let meter = device + [ObjectLink(objectID: 10243, version: "2.0")]
        let names: [(String, [ObjectLink])] = [
            ("sensor-2", sensor), ("sensor-10", sensor), ("Meter_1", meter), ("CAFÉ-3", sensor), ("100%-x", device),
            ("meter-x", meter),
        ]
        for (index, (name, links)) in names.enumerated() {
            try await store.apply([.registered(
                makeRegistration(endpoint: name, id: "reg-\(index)", objectLinks: links), replaced: nil)])
        }
        try await store.apply([.deregistered(makeRegistration(endpoint: "meter-x", id: "reg-5"))])
        let everything = try await store.endpoints(online: nil, namePrefix: nil, limit: nil, offset: 0)

        func page(_ filter: EndpointFilter = EndpointFilter(), after: String? = nil, limit: Int? = nil)
            async throws -> ([String], Int)
        {
            let page = try await store.endpointPage(filter, after: after, limit: limit)
            // Whatever the store does, it agrees with the filter's reference semantics.
            let reference = everything.filter(filter.matches).filter { after == nil || $0.name > after! }
            #expect(page.endpoints.map(\.name) == Array(reference.prefix(limit ?? .max)).map(\.name), "\(filter)")
            #expect(page.total == everything.filter(filter.matches).count, "\(filter)")
            return (page.endpoints.map(\.name), page.total)
        }
        #expect(try await page() == (["100%-x", "CAFÉ-3", "Meter_1", "meter-x", "sensor-10", "sensor-2"], 6))
        #expect(try await page(limit: 2) == (["100%-x", "CAFÉ-3"], 6))
        #expect(try await page(after: "CAFÉ-3", limit: 2) == (["Meter_1", "meter-x"], 6))
        #expect(try await page(after: "sensor-2", limit: 2) == ([], 6))
        #expect(try await page(EndpointFilter(online: false)) == (["meter-x"], 1))
        #expect(try await page(EndpointFilter(nameContains: "METER")) == (["Meter_1", "meter-x"], 2))
        #expect(try await page(EndpointFilter(nameContains: "café")) == (["CAFÉ-3"], 1))
        #expect(try await page(EndpointFilter(nameContains: "%")) == (["100%-x"], 1))
        #expect(try await page(EndpointFilter(nameContains: "_")) == (["Meter_1"], 1))
        #expect(try await page(EndpointFilter(objectID: 3303)) == (["CAFÉ-3", "sensor-10", "sensor-2"], 3))
        #expect(try await page(EndpointFilter(online: true, objectID: 10243)).0 == ["Meter_1"])
        #expect(try await page(EndpointFilter(objectID: 1)) == ([], 0))
        // Ids that are prefixes or extensions of registered ones match nothing.
        #expect(try await page(EndpointFilter(objectID: 330)) == ([], 0))
        #expect(try await page(EndpointFilter(objectID: 33030)) == ([], 0))
        #expect(try await page(EndpointFilter(objectID: 3)).1 == 6)
        #expect(try await page(EndpointFilter(names: ["sensor-2", "nobody", "CAFÉ-3"])) == (["CAFÉ-3", "sensor-2"], 2))
        #expect(try await page(EndpointFilter(names: [])) == ([], 0))
        #expect(try await page(EndpointFilter(objectID: 3303, excludedNames: ["sensor-2"]), limit: 1) == (["CAFÉ-3"], 2))
        #expect(try await page(EndpointFilter(excludedNames: [])).1 == 6)
    }

    @Test("endpoint names matching a glob, sorted", arguments: storeFactories)
    func glob(_ factory: StoreFactory) async throws {
        let stores = try factory.make()
        try await stores.register(["sensor-10", "sensor-2", "meter-1", "sensorX"])
        let store = stores.endpoints
        #expect(try await store.endpointNames(matching: GlobPattern("sensor-*")) == ["sensor-10", "sensor-2"])
        #expect(try await store.endpointNames(matching: GlobPattern("sensor?")) == ["sensorX"])
        #expect(try await store.endpointNames(matching: GlobPattern("*")) == ["meter-1", "sensor-10", "sensor-2", "sensorX"])
        #expect(try await store.endpointNames(matching: GlobPattern("none*")) == [])
    }

    @Test("resource types sync idempotently, report changes, and list by object then resource",
          arguments: storeFactories)
    func resourceTypes(_ factory: StoreFactory) async throws {
        let store = try factory.make().endpoints
        func registry(units: String) -> ObjectModelRegistry {
            ObjectModelRegistry(definitions: [
                ObjectDefinition(
                    id: 3303, name: "Temperature", version: "1.1", multipleInstances: true, mandatory: false,
                    resources: [
                        5701: ResourceDefinition(id: 5701, name: "Sensor Units", operations: .read, multiple: false,
                                                 mandatory: false, type: .string),
                        5700: ResourceDefinition(id: 5700, name: "Sensor Value", operations: .read, multiple: false,
                                                 mandatory: true, type: .float, units: units),
                    ]),
                ObjectDefinition(
                    id: 3, name: "Device", version: "1.2", multipleInstances: false, mandatory: true,
                    resources: [
                        4: ResourceDefinition(id: 4, name: "Reboot", operations: .execute, multiple: false,
                                              mandatory: true, type: .none),
                    ]),
            ])
        }
        #expect(try await store.syncResourceTypes(from: registry(units: "Cel")) == .init(inserted: 3))
        #expect(try await store.syncResourceTypes(from: registry(units: "Cel")) == .init(unchanged: 3))
        #expect(try await store.syncResourceTypes(from: registry(units: "K")) == .init(updated: 1, unchanged: 2))
        let types = try await store.resourceTypes()
        #expect(types.map(\.key.description) == ["3/4", "3303/5700", "3303/5701"])
        #expect(types[0] == ResourceType(objectID: 3, resourceID: 4, name: "Reboot", dataType: "", units: nil,
                                         multiple: false, mandatory: true, operations: "E"))
        #expect(types[1].units == "K")
        #expect(types[1].dataType == "Float")
        #expect(try await store.syncResourceTypes(from: ObjectModelRegistry()) == .init())
        #expect(try await store.resourceTypes().count == 3)
    }

    @Test("a working store answers ping", arguments: storeFactories)
    func ping(_ factory: StoreFactory) async throws {
        try await factory.make().endpoints.ping()
    }
}
