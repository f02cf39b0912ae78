import CoAP
import Foundation
import Testing

@testable import LwM2M

/// Lifetime and replacement logic, with time passed in explicitly (no sleeping).
struct RegistrationTableTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func register(_ table: inout RegistrationTable, _ endpoint: String, lifetime: Int, id: String, at time: Date,
                  session: UInt64 = 1) -> RegistrationEvent {
        let request = RegisterRequest(
            endpoint: endpoint, lifetime: lifetime, version: .v1_1, binding: "U", queueMode: false, smsNumber: nil,
            links: RegistrationLinks(objectLinks: [ObjectLink(objectID: 3, instanceID: 0)]))
        return table.register(request, id: id, address: "127.0.0.1:1", session: CoAPSessionID(rawValue: session), now: time).event
    }

    @Test func expiresExactlyAfterTheLifetime() {
        var table = RegistrationTable()
        _ = register(&table, "a", lifetime: 60, id: "r1", at: t0)
        #expect(table.removeExpired(now: t0.addingTimeInterval(60)).isEmpty)  // at the boundary: still alive
        #expect(table.count == 1)
        let expired = table.removeExpired(now: t0.addingTimeInterval(60.001))
        #expect(expired.map(\.registration.id) == ["r1"])
        #expect(table.count == 0)
        #expect(table.entry(endpoint: "a") == nil)
    }

    @Test func updateExtendsTheLifetimeAndCanChangeIt() throws {
        var table = RegistrationTable()
        _ = register(&table, "a", lifetime: 60, id: "r1", at: t0)
        let t1 = t0.addingTimeInterval(50)
        let (event, previous) = try table.update(
            id: "r1", UpdateRequest(lifetime: 120), address: "127.0.0.1:2", session: CoAPSessionID(rawValue: 2), now: t1)
        #expect(previous == CoAPSessionID(rawValue: 1))
        guard case .updated(let registration) = event else { Issue.record("expected .updated"); return }
        #expect(registration.lifetime == 120)
        #expect(registration.address == "127.0.0.1:2")
        #expect(registration.lastUpdate == t1)
        #expect(registration.registeredAt == t0)
        #expect(table.removeExpired(now: t0.addingTimeInterval(169)).isEmpty)
        #expect(table.removeExpired(now: t0.addingTimeInterval(171)).count == 1)
    }

    @Test func updateOfAnExpiredOrUnknownRegistrationIsNotFound() {
        var table = RegistrationTable()
        _ = register(&table, "a", lifetime: 10, id: "r1", at: t0)
        #expect(throws: RegistrationError.self) {
            try table.update(id: "nope", UpdateRequest(), address: "x", session: nil, now: t0)
        }
        do {
            _ = try table.update(id: "r1", UpdateRequest(), address: "x", session: nil, now: t0.addingTimeInterval(11))
            Issue.record("expected not found")
        } catch {
            #expect(error.kind == .unknownRegistration)
        }
        #expect(table.count == 0)
    }

    @Test func reRegistrationReplacesTheOldRegistration() throws {
        var table = RegistrationTable()
        _ = register(&table, "a", lifetime: 60, id: "r1", at: t0, session: 1)
        let event = register(&table, "a", lifetime: 60, id: "r2", at: t0.addingTimeInterval(5), session: 7)
        guard case .registered(let new, let replaced) = event else { Issue.record("expected .registered"); return }
        #expect(new.id == "r2")
        #expect(replaced?.id == "r1")
        #expect(table.count == 1)
        #expect(table.entry(id: "r1") == nil)
        #expect(table.entry(endpoint: "a")?.session == CoAPSessionID(rawValue: 7))
        #expect(throws: RegistrationError.self) { try table.deregister(id: "r1") }
    }

    @Test func deregisterRemovesByID() throws {
        var table = RegistrationTable()
        _ = register(&table, "a", lifetime: 60, id: "r1", at: t0)
        _ = register(&table, "b", lifetime: 60, id: "r2", at: t0)
        let (event, _) = try table.deregister(id: "r1")
        #expect(event == .deregistered(try #require(event.registration as Registration?)))
        #expect(table.entry(endpoint: "a") == nil)
        #expect(table.entry(endpoint: "b")?.registration.id == "r2")
    }

    @Test func restoredRegistrationsCanBeUpdatedAndExpire() throws {
        var table = RegistrationTable()
        let restored = Registration(
            id: "old", endpoint: "a", lwm2mVersion: .v1_0, binding: "U", queueMode: false, lifetime: 30,
            objectLinks: [], address: "127.0.0.1:9", registeredAt: t0, lastUpdate: t0)
        table.restore(restored)
        #expect(table.entry(id: "old")?.session == nil)
        let (_, previous) = try table.update(
            id: "old", UpdateRequest(), address: "127.0.0.1:10", session: CoAPSessionID(rawValue: 3), now: t0.addingTimeInterval(20))
        #expect(previous == nil)
        #expect(table.entry(id: "old")?.session == CoAPSessionID(rawValue: 3))
        #expect(table.removeExpired(now: t0.addingTimeInterval(51)).map(\.registration.id) == ["old"])
    }
}
