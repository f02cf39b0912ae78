import Crypto
import Foundation
import Logging
import Testing

@testable import FirmwareOTA
@testable import ResourceModel

/// Images streamed to files named by their SHA-256, recorded in a real (in-memory SQLite) store.
@Suite("Firmware images")
struct FirmwareImagesTests {
    let directory: URL
    let images: FirmwareImages
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fw-\(UUID().uuidString)")
        images = try FirmwareImages(
            directory: directory, store: try AppDatabase.inMemory(), maxSize: 1 << 20,
            logger: Logger(label: "test"))
    }

    func hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    func upload(_ bytes: [UInt8], chunk: Int = 1000) throws -> CompletedUpload {
        let upload = try images.beginUpload()
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunk, bytes.count)
            try bytes[offset..<end].withUnsafeBytes { try upload.append($0) }
            offset = end
        }
        return try upload.complete()
    }

    func files() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    @Test("an image arrives in chunks and lands under its SHA-256 with its size")
    func streamed() async throws {
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let completed = try upload(bytes)
        #expect(completed.size == 300_000)
        #expect(completed.sha256 == hex(bytes))
        let (image, created) = try await images.store(completed, name: "app", version: "1.0", model: "m1", at: t0)
        #expect(created)
        #expect(image.sha256 == hex(bytes) && image.storedPath == "firmware/\(hex(bytes))" && image.model == "m1")
        #expect(files() == [hex(bytes)])
        #expect(try Data(contentsOf: images.fileURL(of: image)) == Data(bytes))
    }

    @Test("empty and oversized bodies are refused and leave no file")
    func refused() throws {
        let empty = try images.beginUpload()
        #expect(throws: FirmwareUploadError.empty) { try empty.complete() }
        let big = try images.beginUpload()
        let chunk = [UInt8](repeating: 7, count: 600_000)
        try chunk.withUnsafeBytes { try big.append($0) }
        #expect(throws: FirmwareUploadError.tooLarge(limit: 1 << 20)) {
            try chunk.withUnsafeBytes { try big.append($0) }
        }
        let aborted = try images.beginUpload()
        try chunk.withUnsafeBytes { try aborted.append($0) }
        aborted.abort()
        #expect(files().isEmpty)
    }

    @Test("a version taken by other content keeps nothing; shared content keeps its file until the last image goes")
    func sharingAndConflicts() async throws {
        let a = try await images.store(try upload([1, 2, 3]), name: "app", version: "1.0", model: nil, at: t0).image
        await #expect(throws: FirmwareStoreError.versionTaken(a)) {
            try await images.store(try upload([9, 9]), name: "app", version: "1.0", model: nil, at: t0)
        }
        #expect(files() == [a.sha256])
        let again = try await images.store(try upload([1, 2, 3]), name: "app", version: "1.0", model: nil, at: t0)
        #expect(again.created == false && again.image == a)
        let b = try await images.store(try upload([1, 2, 3]), name: "other", version: "7", model: nil, at: t0).image
        #expect(b.sha256 == a.sha256 && files() == [a.sha256])
        #expect(try await images.remove(id: a.id) == a)
        #expect(files() == [a.sha256])
        #expect(try await images.remove(id: b.id) == b)
        #expect(files().isEmpty)
        #expect(try await images.remove(id: b.id) == nil)
    }

    @Test("leftovers of uploads cut off by a stop are removed at start")
    func leftovers() throws {
        let cut = try images.beginUpload()
        try [UInt8](repeating: 1, count: 10).withUnsafeBytes { try cut.append($0) }
        #expect(files().count == 1)
        _ = try FirmwareImages(directory: directory, store: try AppDatabase.inMemory(), logger: Logger(label: "test"))
        #expect(files().isEmpty)
        cut.abort()
    }
}
