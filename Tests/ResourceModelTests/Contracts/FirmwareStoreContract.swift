import Foundation
import Testing

@testable import ResourceModel

/// The `FirmwareStore` contract (uploaded images), for every backend in `storeFactories`.
@Suite("FirmwareStore contract")
struct FirmwareStoreContract {
    static func image(_ version: String, sha: String = String(repeating: "a", count: 64), name: String = "app",
                      model: String? = nil) -> FirmwareImage {
        FirmwareImage(id: 0, name: name, version: version, model: model, size: 1024, sha256: sha,
                      storedPath: "firmware/\(sha)", createdAt: .distantPast)
    }

    @Test("an image round-trips with the store's id and instant; listing is newest first", arguments: storeFactories)
    func addAndList(_ factory: StoreFactory) async throws {
        let store = try factory.make().firmware
        let first = try await store.addFirmware(Self.image("1.0", model: "sim-board"), at: t0)
        #expect(first.created)
        #expect(first.image.id > 0)
        #expect(first.image.createdAt == t0)
        #expect(first.image.model == "sim-board")
        var expected = Self.image("1.0", model: "sim-board")
        expected.id = first.image.id
        expected.createdAt = t0
        #expect(first.image == expected)
        let second = try await store.addFirmware(Self.image("1.1", sha: String(repeating: "b", count: 64)),
                                                 at: t0.addingTimeInterval(5))
        #expect(try await store.allFirmware().map(\.version) == ["1.1", "1.0"])
        #expect(try await store.firmware(id: first.image.id) == first.image)
        #expect(try await store.firmware(id: second.image.id + 100) == nil)
    }

    @Test("the same version again: the same content is the existing image, other content is refused",
          arguments: storeFactories)
    func duplicates(_ factory: StoreFactory) async throws {
        let store = try factory.make().firmware
        let first = try await store.addFirmware(Self.image("2.0"), at: t0)
        let again = try await store.addFirmware(Self.image("2.0"), at: t0.addingTimeInterval(1))
        #expect(again.created == false)
        #expect(again.image == first.image)
        await #expect(throws: FirmwareStoreError.versionTaken(first.image)) {
            try await store.addFirmware(Self.image("2.0", sha: String(repeating: "c", count: 64)), at: t0)
        }
        // Another name may use the same version string.
        #expect(try await store.addFirmware(Self.image("2.0", name: "bootloader"), at: t0).created)
        #expect(try await store.allFirmware().count == 2)
    }

    @Test("removing says whether the file is shared; unknown ids are nil", arguments: storeFactories)
    func removal(_ factory: StoreFactory) async throws {
        let store = try factory.make().firmware
        let a = try await store.addFirmware(Self.image("1.0"), at: t0).image
        let b = try await store.addFirmware(Self.image("1.0", name: "other"), at: t0).image
        #expect(try await store.firmwareCount(sha256: a.sha256) == 2)
        let first = try #require(try await store.removeFirmware(id: a.id))
        #expect(first.image == a && first.fileShared)
        let second = try #require(try await store.removeFirmware(id: b.id))
        #expect(second.image == b && !second.fileShared)
        #expect(try await store.removeFirmware(id: b.id) == nil)
        #expect(try await store.firmwareCount(sha256: a.sha256) == 0)
        #expect(try await store.allFirmware().isEmpty)
    }
}
