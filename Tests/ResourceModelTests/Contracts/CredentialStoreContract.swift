import Foundation
import LwM2M
import Testing

@testable import ResourceModel

/// The `CredentialStore` contract (DTLS pre-shared keys), for every backend in `storeFactories`.
@Suite("CredentialStore contract")
struct CredentialStoreContract {
    static let alpha = PSKCredential(endpoint: "alpha", identity: "id-alpha", key: [1, 2, 3])

    @Test("a credential round-trips; a replacement keeps its creation instant", arguments: storeFactories)
    func saveAndReplace(_ factory: StoreFactory) async throws {
        let store = try factory.make().credentials
        #expect(try await store.storedPSKCredential(endpoint: "alpha") == nil)
        let first = try await store.savePSKCredentialAndFetch(Self.alpha, at: t0, mirroringTo: nil)
        #expect(first.created)
        #expect(first.stored == StoredPSKCredential(credential: Self.alpha, createdAt: t0, updatedAt: t0))
        let rekeyed = PSKCredential(endpoint: "alpha", identity: "id-alpha-2", key: [9])
        let later = t0.addingTimeInterval(30)
        let second = try await store.savePSKCredentialAndFetch(rekeyed, at: later, mirroringTo: nil)
        #expect(second.created == false)
        #expect(second.stored == StoredPSKCredential(credential: rekeyed, createdAt: t0, updatedAt: later))
        #expect(try await store.storedPSKCredential(endpoint: "alpha") == second.stored)
        #expect(try await store.pskCredential(endpoint: "alpha") == rekeyed)
    }

    @Test("credentials list by endpoint name", arguments: storeFactories)
    func listing(_ factory: StoreFactory) async throws {
        let store = try factory.make().credentials
        let beta = PSKCredential(endpoint: "beta", identity: "id-beta", key: [4])
        _ = try await store.savePSKCredentialAndFetch(beta, at: t0, mirroringTo: nil)
        _ = try await store.savePSKCredentialAndFetch(Self.alpha, at: t0, mirroringTo: nil)
        #expect(try await store.pskCredentials() == [Self.alpha, beta])
        #expect(try await store.storedPSKCredentials().map(\.credential.endpoint) == ["alpha", "beta"])
    }

    @Test("an identity another endpoint holds is refused and changes nothing", arguments: storeFactories)
    func identityTaken(_ factory: StoreFactory) async throws {
        let store = try factory.make().credentials
        _ = try await store.savePSKCredentialAndFetch(Self.alpha, at: t0, mirroringTo: nil)
        let mirror = PSKCredentialStore()
        await #expect(throws: PSKCredentialError.identityTaken(identity: "id-alpha", endpoint: "alpha")) {
            try await store.savePSKCredentialAndFetch(
                PSKCredential(endpoint: "beta", identity: "id-alpha", key: [7]), at: t0, mirroringTo: mirror)
        }
        #expect(try await store.pskCredentials() == [Self.alpha])
        #expect(mirror.all.isEmpty)
    }

    @Test("changes reach the mirror; deleting is true once", arguments: storeFactories)
    func mirroringAndDelete(_ factory: StoreFactory) async throws {
        let store = try factory.make().credentials
        let mirror = PSKCredentialStore()
        _ = try await store.savePSKCredentialAndFetch(Self.alpha, at: t0, mirroringTo: mirror)
        #expect(mirror.credential(forIdentity: "id-alpha") == Self.alpha)
        #expect(try await store.deletePSKCredential(endpoint: "alpha", mirroringTo: mirror))
        #expect(mirror.credential(forEndpoint: "alpha") == nil)
        #expect(try await store.deletePSKCredential(endpoint: "alpha", mirroringTo: mirror) == false)
        #expect(try await store.pskCredentials().isEmpty)
    }
}
