import Foundation
import GRDB
import LwM2M
import Testing

@testable import ResourceModel

@Suite("PSK credentials (endpoint_security)")
struct PSKCredentialPersistenceTests {
    static let key16: [UInt8] = Array(0..<16)
    static let alpha = PSKCredential(endpoint: "alpha", identity: "alpha-id", key: key16)
    static let beta = PSKCredential(endpoint: "beta", identity: "beta-id", key: [0xFF, 0x00, 0x7F])

    @Test("v4 creates endpoint_security: endpoint primary key, unique identity, no foreign key")
    func schema() async throws {
        let database = try AppDatabase.inMemory()
        let (columns, primaryKey, indexes, foreignKeys) = try await database.writer.read { db in
            (
                try db.columns(in: "endpoint_security").map { "\($0.name) \($0.type) \($0.isNotNull)" },
                try db.primaryKey("endpoint_security").columns,
                try db.indexes(on: "endpoint_security").filter(\.isUnique).map(\.columns),
                try db.foreignKeys(on: "endpoint_security").count
            )
        }
        #expect(columns == [
            "endpoint TEXT true", "identity TEXT true", "key BLOB true", "createdAt INTEGER true",
            "updatedAt INTEGER true",
        ])
        #expect(primaryKey == ["endpoint"])
        #expect(indexes.contains(["identity"]))
        #expect(foreignKeys == 0)
    }

    @Test("the schema refuses an empty key and a second row with the same identity")
    func constraints() async throws {
        let database = try AppDatabase.inMemory()
        try await database.savePSKCredential(Self.alpha, at: t0)
        await #expect(throws: DatabaseError.self) {
            try await database.writer.write { db in
                try db.execute(sql: """
                    INSERT INTO endpoint_security (endpoint, identity, key, createdAt, updatedAt)
                    VALUES ('other', 'alpha-id', x'01', 0, 0)
                    """)
            }
        }
        await #expect(throws: DatabaseError.self) {
            try await database.writer.write { db in
                try db.execute(sql: """
                    INSERT INTO endpoint_security (endpoint, identity, key, createdAt, updatedAt)
                    VALUES ('other', 'other-id', x'', 0, 0)
                    """)
            }
        }
    }

    @Test("save: true when new, false when replaced; the replacement keeps createdAt and moves updatedAt")
    func saveAndReplace() async throws {
        let database = try AppDatabase.inMemory()
        #expect(try await database.savePSKCredential(Self.alpha, at: t0) == true)
        #expect(try await database.pskCredential(endpoint: "alpha") == Self.alpha)
        let replaced = PSKCredential(endpoint: "alpha", identity: "alpha-id-2", key: [1, 2, 3, 4])
        let later = t0.addingTimeInterval(60)
        let (stored, created) = try await database.savePSKCredentialAndFetch(replaced, at: later)
        #expect(created == false)
        #expect(stored == StoredPSKCredential(credential: replaced, createdAt: t0, updatedAt: later))
        #expect(try await database.storedPSKCredential(endpoint: "alpha") == stored)
        #expect(try await database.pskCredentials() == [replaced])
    }

    @Test("the saved row is what later reads return, also for an instant between two milliseconds")
    func savedMatchesRead() async throws {
        let database = try AppDatabase.inMemory()
        let between = t0.addingTimeInterval(0.000_7)
        let (stored, created) = try await database.savePSKCredentialAndFetch(Self.alpha, at: between)
        #expect(created)
        #expect(try await database.storedPSKCredential(endpoint: "alpha") == stored)
    }

    @Test("credentials are listed by endpoint name and need no registered endpoint")
    func listSorted() async throws {
        let database = try AppDatabase.inMemory()
        try await database.savePSKCredential(Self.beta, at: t0)
        try await database.savePSKCredential(Self.alpha, at: t0)
        #expect(try await database.pskCredentials() == [Self.alpha, Self.beta])
        #expect(try await database.storedPSKCredentials().map(\.createdAt) == [t0, t0])
        #expect(try await database.endpoints().isEmpty)
        #expect(try await database.pskCredential(endpoint: "gamma") == nil)
    }

    @Test("an identity another endpoint holds is refused and nothing changes, in the database or the store")
    func identityTaken() async throws {
        let database = try AppDatabase.inMemory()
        let store = DTLSCredentialStore()
        try await database.savePSKCredential(Self.alpha, at: t0, mirroringTo: store)
        try await database.savePSKCredential(Self.beta, at: t0, mirroringTo: store)
        let thief = PSKCredential(endpoint: "beta", identity: "alpha-id", key: [9, 9])
        await #expect(throws: PSKCredentialError.identityTaken(identity: "alpha-id", endpoint: "alpha")) {
            try await database.savePSKCredential(thief, at: t0.addingTimeInterval(1), mirroringTo: store)
        }
        let newcomer = PSKCredential(endpoint: "gamma", identity: "beta-id", key: [9, 9])
        await #expect(throws: PSKCredentialError.identityTaken(identity: "beta-id", endpoint: "beta")) {
            try await database.savePSKCredential(newcomer, mirroringTo: store)
        }
        #expect(try await database.pskCredentials() == [Self.alpha, Self.beta])
        #expect(store.all == [Self.alpha, Self.beta])
        #expect(try await database.storedPSKCredential(endpoint: "beta")?.updatedAt == t0)
    }

    @Test("the same identity may be stored again for its own endpoint")
    func sameIdentitySameEndpoint() async throws {
        let database = try AppDatabase.inMemory()
        try await database.savePSKCredential(Self.alpha, at: t0)
        let rekeyed = PSKCredential(endpoint: "alpha", identity: "alpha-id", key: [0xAB])
        #expect(try await database.savePSKCredential(rekeyed, at: t0) == false)
        #expect(try await database.pskCredential(endpoint: "alpha")?.key == [0xAB])
    }

    @Test("delete: true once, then false")
    func delete() async throws {
        let database = try AppDatabase.inMemory()
        try await database.savePSKCredential(Self.alpha, at: t0)
        #expect(try await database.deleteCredential(endpoint: "alpha") == true)
        #expect(try await database.deleteCredential(endpoint: "alpha") == false)
        #expect(try await database.pskCredentials().isEmpty)
    }

    @Test("the mirrored store follows every committed change")
    func mirroring() async throws {
        let database = try AppDatabase.inMemory()
        let store = DTLSCredentialStore()
        try await database.savePSKCredential(Self.alpha, mirroringTo: store)
        #expect(store.key(forIdentity: Array("alpha-id".utf8)) == Self.key16)
        let renamed = PSKCredential(endpoint: "alpha", identity: "alpha-new", key: [7])
        try await database.savePSKCredential(renamed, mirroringTo: store)
        #expect(store.key(forIdentity: Array("alpha-id".utf8)) == nil)
        #expect(store.key(forIdentity: Array("alpha-new".utf8)) == [7])
        try await database.deleteCredential(endpoint: "alpha", mirroringTo: store)
        #expect(store.all.isEmpty)
        #expect(store.key(forIdentity: Array("alpha-new".utf8)) == nil)
    }

    @Test("when the store gives a committed identity to another endpoint, the database wins")
    func staleStore() async throws {
        let database = try AppDatabase.inMemory()
        let store = DTLSCredentialStore([PSKCredential(endpoint: "ghost", identity: "alpha-id", key: [1])])
        try await database.savePSKCredential(Self.alpha, mirroringTo: store)
        #expect(store.all == [Self.alpha])
    }

    @Test("credentials survive reopening the database file and load into a store")
    func survivesReopen() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let first = try AppDatabase.open(directory: directory)
            try await first.savePSKCredential(Self.alpha, at: t0)
            try await first.savePSKCredential(Self.beta, at: t0)
        }
        let second = try AppDatabase.open(directory: directory)
        let store = DTLSCredentialStore(try await second.pskCredentials())
        #expect(store.key(forIdentity: Array("beta-id".utf8)) == [0xFF, 0x00, 0x7F])
        #expect(try await second.storedPSKCredential(endpoint: "alpha")
            == StoredPSKCredential(credential: Self.alpha, createdAt: t0, updatedAt: t0))
    }
}
