import Foundation
import Logging
import ResourceModel

/// The firmware images of the server: files named by their SHA-256 in one directory (`<data>/firmware`), their
/// records in the `FirmwareStore`. Uploads are streamed (`beginUpload`); images with the same content share one
/// file, which goes when the last of them is removed.
public actor FirmwareImages {
    /// Where the image files are.
    public nonisolated let directory: URL
    /// The largest image accepted, in bytes (`--max-firmware-size`).
    public nonisolated let maxSize: Int64
    private let store: any FirmwareStore
    private let logger: Logger

    /// The default of `--max-firmware-size`: 256 MiB.
    public static let defaultMaxSize: Int64 = 256 << 20

    /// Opens (and creates) `directory`; temporary files of uploads cut off by a stop are removed.
    public init(directory: URL, store: any FirmwareStore, maxSize: Int64 = defaultMaxSize, logger: Logger) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        where name.hasPrefix(".upload-") {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
        self.directory = directory
        self.maxSize = maxSize
        self.store = store
        self.logger = logger
    }

    /// Starts receiving an image.
    public nonisolated func beginUpload() throws(FirmwareUploadError) -> FirmwareUpload {
        try FirmwareUpload(directory: directory, limit: maxSize)
    }

    /// Stores a received image as `name` `version`: its file under its hash, its record in the store. The same
    /// name, version and content again is the existing image (`created` false). Throws
    /// `FirmwareStoreError.versionTaken` for the name and version with other content; nothing is kept then.
    public func store(
        _ upload: CompletedUpload, name: String, version: String, model: String?,
        contentType: String = "application/octet-stream", at now: Date = Date()
    ) async throws -> (image: FirmwareImage, created: Bool) {
        let relative = "firmware/\(upload.sha256)"
        let target = directory.appendingPathComponent(upload.sha256)
        let fileManager = FileManager.default
        let placed: Bool
        if fileManager.fileExists(atPath: target.path) {
            try? fileManager.removeItem(at: upload.url)  // the same bytes are there already
            placed = false
        } else {
            try fileManager.moveItem(at: upload.url, to: target)
            placed = true
        }
        let image = FirmwareImage(
            id: 0, name: name, version: version, model: model, size: upload.size, sha256: upload.sha256,
            contentType: contentType, storedPath: relative, createdAt: now)
        do {
            let result = try await store.addFirmware(image, at: now)
            if result.created {
                logger.info("firmware stored", metadata: [
                    "id": "\(result.image.id)", "name": "\(name)", "version": "\(version)",
                    "size": "\(upload.size)", "sha256": "\(upload.sha256)",
                ])
            }
            return result
        } catch {
            if placed, (try? await store.firmwareCount(sha256: upload.sha256)) == 0 {
                try? fileManager.removeItem(at: target)
            }
            throw error
        }
    }

    /// Removes the image with `id` and, when no other image shares it, its file; `nil` for an unknown id. Throws
    /// `FirmwareStoreError.inUse` while updates refer to it.
    public func remove(id: Int64) async throws -> FirmwareImage? {
        guard let (image, shared) = try await store.removeFirmware(id: id) else { return nil }
        if !shared { try? FileManager.default.removeItem(at: fileURL(of: image)) }
        logger.info("firmware removed", metadata: ["id": "\(id)", "version": "\(image.version)"])
        return image
    }

    /// The image with `id`, or `nil`.
    public func image(id: Int64) async throws -> FirmwareImage? {
        try await store.firmware(id: id)
    }

    /// Every image, newest first.
    public func all() async throws -> [FirmwareImage] {
        try await store.allFirmware()
    }

    /// The file of `image`.
    public nonisolated func fileURL(of image: FirmwareImage) -> URL {
        directory.appendingPathComponent(image.sha256)
    }
}
