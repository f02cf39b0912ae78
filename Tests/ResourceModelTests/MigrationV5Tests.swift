import Foundation
import GRDB
import LwM2M
import Testing

@testable import ResourceModel

@Suite("Schema v5")
struct MigrationV5Tests {
    @Test("upgrading a v4 database marks endpoints that hold a PSK as DTLS, the others as UDP")
    func upgradeFromV4() async throws {
        let queue = try DatabaseQueue(configuration: AppDatabase.configuration(label: "upgrade"))
        try AppDatabase.migrator.migrate(queue, upTo: "v4")
        try await queue.write { db in
            try db.execute(sql: """
                INSERT INTO endpoint (name, registrationId, lwm2mVersion, binding, queueMode, lifetime, rootPath,
                    objectLinks, supportedContentFormats, address, registeredAt, lastSeen, online, createdAt)
                VALUES ('secure', 'r1', '1.1', 'U', 0, 600, '/', '[]', '[]', '192.0.2.1:5684', 0, 0, 1, 0),
                       ('plain', 'r2', '1.1', 'U', 0, 600, '/', '[]', '[]', '192.0.2.2:5683', 0, 0, 1, 0);
                INSERT INTO endpoint_security (endpoint, identity, key, createdAt, updatedAt)
                    VALUES ('secure', 'secure-id', x'0102', 0, 0);
                """)
        }
        let database = try AppDatabase(queue)
        let restored = try await database.onlineRegistrations()
        let transports = Dictionary(uniqueKeysWithValues: restored.map { ($0.endpoint, $0.transport) })
        #expect(transports == ["secure": .dtls, "plain": .udp])
    }

    @Test("a registration's transport is stored and read back")
    func roundTrip() async throws {
        let database = try AppDatabase.inMemory()
        let registration = Registration(
            id: "r1", endpoint: "dev", lwm2mVersion: .v1_1, binding: "U", queueMode: false, lifetime: 600,
            objectLinks: [], address: "127.0.0.1:40000", transport: .dtls, registeredAt: Date(timeIntervalSince1970: 1),
            lastUpdate: Date(timeIntervalSince1970: 1))
        try await database.apply([.registered(registration, replaced: nil)])
        #expect(try await database.onlineRegistrations().map(\.transport) == [.dtls])
    }
}
