import Foundation

/// An uploaded firmware image (the `firmware` table): what devices are updated to. The bytes live in a file named
/// by their SHA-256 under the data directory; images with the same content share that file.
public struct FirmwareImage: Sendable, Equatable, Hashable {
    /// The store's id.
    public var id: Int64
    /// The product or package name (`name` query parameter of the upload).
    public var name: String
    /// The version devices report once updated (`/3/0/3` Firmware Version or `/5/0/7` PkgVersion).
    public var version: String
    /// The device model it targets (`/3/0/1` Model Number), when the upload named one.
    public var model: String?
    /// The size in bytes.
    public var size: Int64
    /// The SHA-256 of the bytes, lowercase hex.
    public var sha256: String
    /// The media type devices are given (`application/octet-stream`).
    public var contentType: String
    /// The file, relative to the data directory (`firmware/<sha256>`).
    public var storedPath: String
    /// When it was uploaded.
    public var createdAt: Date

    /// Creates an image value.
    public init(
        id: Int64, name: String, version: String, model: String? = nil, size: Int64, sha256: String,
        contentType: String = "application/octet-stream", storedPath: String, createdAt: Date
    ) {
        self.id = id
        self.name = name
        self.version = version
        self.model = model
        self.size = size
        self.sha256 = sha256
        self.contentType = contentType
        self.storedPath = storedPath
        self.createdAt = createdAt
    }
}
