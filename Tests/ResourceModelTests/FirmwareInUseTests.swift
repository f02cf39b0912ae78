import Foundation
import GRDB
import Testing

@testable import ResourceModel

/// An image that firmware updates refer to stays: `firmware_update` cascades from `firmware` (v1), so removing
/// it would erase the updates' history.
@Suite("Firmware in use")
struct FirmwareInUseTests {
    @Test("removing an image an update refers to throws inUse and keeps both")
    func inUse() async throws {
        let database = try AppDatabase.inMemory()
        try await database.stores.register(["dev-1"])
        let image = try await database.addFirmware(FirmwareStoreContract.image("3.0"), at: t0).image
        try await database.writer.write { db in
            try db.execute(sql: """
                INSERT INTO firmware_update (endpointId, firmwareId, state, result, method, startedAt, updatedAt)
                VALUES ((SELECT id FROM endpoint WHERE name = 'dev-1'), ?, 0, 0, 'pull', 0, 0)
                """, arguments: [image.id])
        }
        await #expect(throws: FirmwareStoreError.inUse(id: image.id, updates: 1, campaigns: 0)) {
            try await database.removeFirmware(id: image.id)
        }
        #expect(try await database.firmware(id: image.id) == image)
        let updates = try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM firmware_update") }
        #expect(updates == 1)
    }
}
