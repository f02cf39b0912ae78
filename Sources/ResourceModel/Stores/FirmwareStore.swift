import Foundation

/// Why the firmware store refused a change.
public enum FirmwareStoreError: Error, Equatable, Sendable {
    /// The name and version are taken by an image with other content.
    case versionTaken(FirmwareImage)
    /// Firmware updates refer to the image (`count` of them); it stays.
    case inUse(id: Int64, updates: Int)
}

/// Uploaded firmware images (the firmware module's store; the update and campaign stores come with it).
public protocol FirmwareStore: Sendable {
    /// Records an image whose file is in place. The same name, version and content again is the existing image
    /// (`created` false); the same name and version with other content throws `FirmwareStoreError.versionTaken`.
    /// `id` and `createdAt` of `image` are ignored (the store gives them).
    func addFirmware(_ image: FirmwareImage, at now: Date) async throws -> (image: FirmwareImage, created: Bool)

    /// The image with `id`, or `nil`.
    func firmware(id: Int64) async throws -> FirmwareImage?

    /// Every image, newest first.
    func allFirmware() async throws -> [FirmwareImage]

    /// Removes the image with `id` and says whether another image still uses its file; `nil` when there is no
    /// such image. Throws `FirmwareStoreError.inUse` (and removes nothing) while a firmware update refers to it.
    func removeFirmware(id: Int64) async throws -> (image: FirmwareImage, fileShared: Bool)?

    /// How many images use the content with this SHA-256.
    func firmwareCount(sha256: String) async throws -> Int
}
