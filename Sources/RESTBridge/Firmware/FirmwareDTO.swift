import Foundation
import Hummingbird
import ResourceModel

/// One firmware image in the REST API: `{"id","name","version","model","size","sha256","contentType","createdAt"}`
/// (`model` omitted when the upload named none).
public struct FirmwareDTO: Codable, Sendable, Equatable, ResponseEncodable {
    /// The image id.
    public var id: Int64
    /// The product or package name.
    public var name: String
    /// The version devices report once updated.
    public var version: String
    /// The device model it targets.
    public var model: String?
    /// The size in bytes.
    public var size: Int64
    /// The SHA-256 of the bytes, lowercase hex.
    public var sha256: String
    /// The media type devices are given.
    public var contentType: String
    /// When it was uploaded.
    public var createdAt: Date

    /// The JSON form of `image`.
    public init(_ image: FirmwareImage) {
        id = image.id
        name = image.name
        version = image.version
        model = image.model
        size = image.size
        sha256 = image.sha256
        contentType = image.contentType
        createdAt = image.createdAt
    }
}
