import Foundation
import Testing

@testable import ResourceModel

/// The `APITokenStore` contract (the REST API's named tokens), for every backend in `storeFactories`.
@Suite("APITokenStore contract")
struct APITokenStoreContract {
    static let grafana = StoredAPIToken(
        name: "grafana", role: "reader", tokenHash: String(repeating: "a", count: 64), createdAt: t0,
        expiresAt: t0.addingTimeInterval(3600))
    static let ci = StoredAPIToken(
        name: "ci", role: "operator", tokenHash: String(repeating: "b", count: 64), createdAt: t0)

    @Test("a token round-trips by hash and lists by name", arguments: storeFactories)
    func roundTrip(_ factory: StoreFactory) async throws {
        let store = try factory.make().apiTokens
        #expect(try await store.apiTokens().isEmpty)
        try await store.insertAPIToken(Self.grafana)
        try await store.insertAPIToken(Self.ci)
        #expect(try await store.apiTokens() == [Self.ci, Self.grafana])
        #expect(try await store.apiToken(hash: Self.grafana.tokenHash) == Self.grafana)
        #expect(try await store.apiToken(hash: String(repeating: "c", count: 64)) == nil)
    }

    @Test("a name in use is refused and changes nothing", arguments: storeFactories)
    func nameTaken(_ factory: StoreFactory) async throws {
        let store = try factory.make().apiTokens
        try await store.insertAPIToken(Self.grafana)
        var other = Self.ci
        other.name = "grafana"
        await #expect(throws: APITokenStoreError.nameTaken("grafana")) { try await store.insertAPIToken(other) }
        #expect(try await store.apiTokens() == [Self.grafana])
        #expect(try await store.apiToken(hash: Self.ci.tokenHash) == nil)
    }

    @Test("use is recorded; deleting is true once and the hash no longer opens anything", arguments: storeFactories)
    func useAndDelete(_ factory: StoreFactory) async throws {
        let store = try factory.make().apiTokens
        try await store.insertAPIToken(Self.ci)
        let used = t0.addingTimeInterval(90)
        try await store.recordAPITokenUse(name: "ci", at: used)
        #expect(try await store.apiToken(hash: Self.ci.tokenHash)?.lastUsedAt == used)
        try await store.recordAPITokenUse(name: "gone", at: used)  // nothing to record
        #expect(try await store.deleteAPIToken(name: "ci"))
        #expect(try await store.deleteAPIToken(name: "ci") == false)
        #expect(try await store.apiToken(hash: Self.ci.tokenHash) == nil)
        #expect(try await store.apiTokens().isEmpty)
    }
}
