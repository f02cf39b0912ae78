import Foundation
import GRDB
import LwM2M
import Testing

@testable import ResourceModel

@Suite("Applying registration events")
struct EndpointStoreTests {
    @Test("registered stores every field and reads back as the same registration")
    func register() async throws {
        let database = try AppDatabase.inMemory()
        let registration = makeRegistration(smsNumber: "+15550100")
        try await database.apply([.registered(registration, replaced: nil)])

        #expect(try await database.endpointRecord(named: "dev-1")?.id != nil)
        let record = try #require(try await database.endpoint(named: "dev-1"))
        #expect(record.registrationId == "reg-1")
        #expect(record.lwm2mVersion == "1.1")
        #expect(record.binding == "U")
        #expect(record.lifetime == 300)
        #expect(record.smsNumber == "+15550100")
        #expect(record.objectLinks.map(\.path) == ["/1/0", "/3/0", "/5"])
        #expect(record.objectLinks.last?.version == "1.1")
        #expect(record.supportedContentFormats == [110, 112])
        #expect(record.address == "192.0.2.1:5683")
        #expect(record.registeredAt == t0)
        #expect(record.lastSeen == t0)
        #expect(record.online)
        #expect(record.registration() == registration)
        #expect(try await database.onlineRegistrations() == [registration])
    }

    @Test("stored layout: epoch milliseconds and JSON arrays")
    func storedLayout() async throws {
        let database = try AppDatabase.inMemory()
        try await database.apply([.registered(makeRegistration(), replaced: nil)])
        let stored = try await database.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM endpoint").map {
                [String(describing: $0["lastSeen"] as Int64), $0["supportedContentFormats"] as String,
                 $0["objectLinks"] as String, String(describing: $0["online"] as Int)]
            }
        }
        #expect(stored == [
            "1795395723456", "[110,112]",
            #"[{"instanceId":0,"objectId":1},{"instanceId":0,"objectId":3},{"objectId":5,"version":"1.1"}]"#, "1",
        ])
    }

    @Test("updated refreshes lastSeen, lifetime, binding, links and address; keeps id and registeredAt")
    func update() async throws {
        let database = try AppDatabase.inMemory()
        try await database.apply([.registered(makeRegistration(), replaced: nil)])
        let before = try #require(try await database.endpoint(named: "dev-1"))
        let beforeID = try #require(try await database.endpointRecord(named: "dev-1")?.id)
        let later = t0.addingTimeInterval(60)
        let updated = makeRegistration(
            lifetime: 900, binding: "UQ", address: "192.0.2.9:40000", lastUpdate: later,
            objectLinks: [ObjectLink(objectID: 3, instanceID: 0)])
        try await database.apply([.updated(updated)])

        let after = try #require(try await database.endpoint(named: "dev-1"))
        #expect(try await database.endpointRecord(named: "dev-1")?.id == beforeID)
        #expect(after.createdAt == before.createdAt)
        #expect(after.registeredAt == t0)
        #expect(after.lastSeen == later)
        #expect(after.lifetime == 900)
        #expect(after.binding == "UQ")
        #expect(after.address == "192.0.2.9:40000")
        #expect(after.objectLinks.map(\.path) == ["/3/0"])
        #expect(after.online)
    }

    @Test("deregistered and expired take the endpoint offline and keep the rest", arguments: [false, true])
    func offline(expired: Bool) async throws {
        let database = try AppDatabase.inMemory()
        let registration = makeRegistration()
        try await database.apply([.registered(registration, replaced: nil)])
        try await database.apply([expired ? .expired(registration) : .deregistered(registration)])

        let record = try #require(try await database.endpoint(named: "dev-1"))
        #expect(!record.online)
        #expect(record.registrationId == "reg-1")
        #expect(record.lastSeen == t0)
        #expect(record.objectLinks.count == 3)
        #expect(try await database.onlineRegistrations().isEmpty)
    }

    @Test("re-registering a name replaces the registration id in the same row")
    func reRegister() async throws {
        let database = try AppDatabase.inMemory()
        let first = makeRegistration(id: "old")
        try await database.apply([.registered(first, replaced: nil)])
        let firstId = try await database.endpointRecord(named: "dev-1")?.id
        let second = makeRegistration(id: "new", registeredAt: t0.addingTimeInterval(5))
        try await database.apply([.registered(second, replaced: first)])

        let rows = try await database.endpoints()
        #expect(rows.count == 1)
        #expect(try await database.endpointRecord(named: "dev-1")?.id == firstId)
        #expect(rows.first?.registrationId == "new")
        #expect(rows.first?.registeredAt == t0.addingTimeInterval(5))
        #expect(try await database.onlineRegistrations().map(\.id) == ["new"])
    }

    @Test("a late expiry of a replaced registration leaves the new one online")
    func lateExpiry() async throws {
        let database = try AppDatabase.inMemory()
        let first = makeRegistration(id: "old")
        let second = makeRegistration(id: "new")
        try await database.apply([.registered(first, replaced: nil), .registered(second, replaced: first)])
        try await database.apply([.expired(first)])
        #expect(try await database.endpoint(named: "dev-1")?.online == true)
    }

    @Test("a registration id reused for another name moves to it")
    func reusedRegistrationId() async throws {
        let database = try AppDatabase.inMemory()
        let a = makeRegistration(endpoint: "a", id: "1")
        try await database.apply([.registered(a, replaced: nil), .deregistered(a)])
        try await database.apply([.registered(makeRegistration(endpoint: "b", id: "1"), replaced: nil)])
        #expect(try await database.endpoint(named: "a")?.registrationId == nil)
        #expect(try await database.endpoint(named: "b")?.registrationId == "1")
        #expect(try await database.onlineRegistrations().map(\.endpoint) == ["b"])
    }

    @Test("a batch applies in order", arguments: [
        (["register", "deregister", "reregister", "update"], true, "r2", 99),
        (["register", "reregister", "update", "deregister-r2"], false, "r2", 99),
        (["register", "update", "reregister"], true, "r2", 300),
    ])
    func batchOrder(steps: [String], online: Bool, registrationId: String, lifetime: Int) async throws {
        let r1 = makeRegistration(id: "r1")
        let r2 = makeRegistration(id: "r2")
        let r2Updated = makeRegistration(id: "r2", lifetime: 99, lastUpdate: t0.addingTimeInterval(1))
        let events: [RegistrationEvent] = steps.map { step in
            switch step {
            case "register": .registered(r1, replaced: nil)
            case "deregister": .deregistered(r1)
            case "reregister": .registered(r2, replaced: r1)
            case "update": .updated(r2Updated)
            case "deregister-r2": .deregistered(r2)
            default: preconditionFailure("unknown step \(step)")
            }
        }
        let database = try AppDatabase.inMemory()
        try await database.apply(events)
        let record = try #require(try await database.endpoint(named: "dev-1"))
        #expect(record.online == online)
        #expect(record.registrationId == registrationId)
        #expect(record.lifetime == lifetime)
    }

    @Test("a batch is one transaction: a failing event rolls back the whole batch")
    func batchAtomic() async throws {
        let database = try AppDatabase.inMemory()
        try await installPoison(database)
        await #expect(throws: DatabaseError.self) {
            try await database.apply([
                .registered(makeRegistration(endpoint: "good", id: "g"), replaced: nil),
                .registered(makeRegistration(endpoint: "poison", id: "p"), replaced: nil),
            ])
        }
        #expect(try await database.endpoints().isEmpty)
    }

    @Test("listing: sorted by name, online filter, name prefix, paging")
    func listing() async throws {
        let database = try AppDatabase.inMemory()
        let gone = makeRegistration(endpoint: "sensor-b", id: "3")
        try await database.apply([
            .registered(makeRegistration(endpoint: "sensor-c", id: "1"), replaced: nil),
            .registered(makeRegistration(endpoint: "meter-a", id: "2"), replaced: nil),
            .registered(gone, replaced: nil),
            .expired(gone),
            .registered(makeRegistration(endpoint: "Sensor-upper", id: "4"), replaced: nil),
        ])
        #expect(try await database.endpoints().map(\.name) == ["Sensor-upper", "meter-a", "sensor-b", "sensor-c"])
        #expect(try await database.endpoints(online: true).map(\.name) == ["Sensor-upper", "meter-a", "sensor-c"])
        #expect(try await database.endpoints(online: false).map(\.name) == ["sensor-b"])
        #expect(try await database.endpoints(namePrefix: "sensor-").map(\.name) == ["sensor-b", "sensor-c"])
        #expect(try await database.endpoints(namePrefix: "sensor-", limit: 1, offset: 1).map(\.name) == ["sensor-c"])
        #expect(try await database.endpoints(offset: 3).map(\.name) == ["sensor-c"])
        #expect(try await database.endpoint(named: "nobody") == nil)
    }
}

/// Makes every write of an endpoint named `poison` fail, to exercise error paths.
func installPoison(_ database: AppDatabase) async throws {
    try await database.writer.write { db in
        try db.execute(sql: """
            CREATE TEMP TRIGGER poison_insert BEFORE INSERT ON endpoint WHEN NEW.name = 'poison'
            BEGIN SELECT RAISE(ABORT, 'poisoned'); END;
            CREATE TEMP TRIGGER poison_update BEFORE UPDATE ON endpoint WHEN NEW.name = 'poison'
            BEGIN SELECT RAISE(ABORT, 'poisoned'); END;
            """)
    }
}
