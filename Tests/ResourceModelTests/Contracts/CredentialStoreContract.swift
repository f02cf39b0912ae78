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
        let mirror = DTLSCredentialStore()
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
        let mirror = DTLSCredentialStore()
        _ = try await store.savePSKCredentialAndFetch(Self.alpha, at: t0, mirroringTo: mirror)
        #expect(mirror.credential(forIdentity: "id-alpha") == Self.alpha)
        #expect(try await store.deleteCredential(endpoint: "alpha", mirroringTo: mirror))
        #expect(mirror.credential(forEndpoint: "alpha") == nil)
        #expect(try await store.deleteCredential(endpoint: "alpha", mirroringTo: mirror) == false)
        #expect(try await store.pskCredentials().isEmpty)
    }

    static let rpk = PKICredential(endpoint: "gamma", kind: .rawPublicKey([0x30, 0x59, 1, 2, 3]))

    @Test("raw public key and certificate credentials round-trip and list by endpoint", arguments: storeFactories)
    func pkiRoundTrip(_ factory: StoreFactory) async throws {
        let store = try factory.make().credentials
        let x509 = PKICredential(endpoint: "beta", kind: .certificate(subject: "SN-1"))
        let mirror = DTLSCredentialStore()
        #expect(try await store.savePKICredentialAndFetch(Self.rpk, at: t0, mirroringTo: mirror).created)
        #expect(try await store.savePKICredentialAndFetch(x509, at: t0, mirroringTo: mirror).created)
        #expect(try await store.pkiCredentials() == [x509, Self.rpk])
        #expect(try await store.storedPKICredential(endpoint: "gamma")
            == StoredPKICredential(credential: Self.rpk, createdAt: t0, updatedAt: t0))
        #expect(mirror.credential(forPublicKey: [0x30, 0x59, 1, 2, 3]) == Self.rpk)
        #expect(mirror.pkiCredential(forEndpoint: "beta") == x509)
        // A new key for the same endpoint keeps the creation instant.
        let rekeyed = PKICredential(endpoint: "gamma", kind: .rawPublicKey([0x30, 0x59, 9]))
        let later = t0.addingTimeInterval(10)
        let saved = try await store.savePKICredentialAndFetch(rekeyed, at: later, mirroringTo: mirror)
        #expect(saved.created == false)
        #expect(saved.stored == StoredPKICredential(credential: rekeyed, createdAt: t0, updatedAt: later))
        #expect(mirror.credential(forPublicKey: [0x30, 0x59, 1, 2, 3]) == nil)
    }

    @Test("a key or subject another endpoint has is refused and changes nothing", arguments: storeFactories)
    func pkiTaken(_ factory: StoreFactory) async throws {
        let store = try factory.make().credentials
        _ = try await store.savePKICredentialAndFetch(Self.rpk, at: t0, mirroringTo: nil)
        _ = try await store.savePKICredentialAndFetch(
            PKICredential(endpoint: "beta", kind: .certificate(subject: "SN-1")), at: t0, mirroringTo: nil)
        await #expect(throws: PKICredentialError.publicKeyTaken(endpoint: "gamma")) {
            try await store.savePKICredentialAndFetch(
                PKICredential(endpoint: "delta", kind: .rawPublicKey([0x30, 0x59, 1, 2, 3])), at: t0, mirroringTo: nil)
        }
        await #expect(throws: PKICredentialError.subjectTaken(subject: "SN-1", endpoint: "beta")) {
            try await store.savePKICredentialAndFetch(
                PKICredential(endpoint: "delta", kind: .certificate(subject: "SN-1")), at: t0, mirroringTo: nil)
        }
        #expect(try await store.pkiCredentials().map(\.endpoint) == ["beta", "gamma"])
    }

    @Test("an endpoint has one credential: storing one kind removes the other; delete removes either", arguments: storeFactories)
    func oneCredentialPerEndpoint(_ factory: StoreFactory) async throws {
        let store = try factory.make().credentials
        let mirror = DTLSCredentialStore()
        let psk = PSKCredential(endpoint: "gamma", identity: "id-gamma", key: [1])
        #expect(try await store.savePSKCredentialAndFetch(psk, at: t0, mirroringTo: mirror).created)
        #expect(try await store.savePKICredentialAndFetch(Self.rpk, at: t0, mirroringTo: mirror).created == false)
        #expect(try await store.pskCredential(endpoint: "gamma") == nil)
        #expect(mirror.credential(forIdentity: "id-gamma") == nil)
        #expect(try await store.savePSKCredentialAndFetch(psk, at: t0, mirroringTo: mirror).created == false)
        #expect(try await store.pkiCredentials().isEmpty)
        #expect(mirror.pkiCredential(forEndpoint: "gamma") == nil)
        _ = try await store.savePKICredentialAndFetch(Self.rpk, at: t0, mirroringTo: mirror)
        #expect(try await store.deleteCredential(endpoint: "gamma", mirroringTo: mirror))
        #expect(try await store.pkiCredentials().isEmpty)
        #expect(try await store.pskCredentials().isEmpty)
        #expect(mirror.hasCredential(endpoint: "gamma") == false)
        #expect(try await store.deleteCredential(endpoint: "gamma", mirroringTo: mirror) == false)
    }
}
