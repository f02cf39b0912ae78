import FirmwareOTA
import Foundation
import Hummingbird
import Metrics
import HummingbirdCore
import ResourceModel

/// The firmware store over REST:
/// - `POST /api/v1/firmware?name=&version=[&model=]` with the image as a raw `application/octet-stream` body,
///   streamed to disk and hashed on the way: 201 with the image, 200 when the same name, version and content
///   were stored before; 400 for an empty body or a bad parameter, 413 over `--max-firmware-size`, 415 for
///   another media type, 409 for the name and version with other content.
/// - `GET /api/v1/firmware` (`{"firmware":[...]}`, newest first), `GET /api/v1/firmware/{id}`,
///   `DELETE /api/v1/firmware/{id}` (204; 409 while firmware updates refer to it).
/// - `GET /api/v1/firmware/{id}/content`: the bytes, with ETag and Range (`ImageResponse`).
/// - `GET /fw/{token}`, without the API token: a firmware update's download link (`FirmwareDownloads`), served
///   like the content route; 404 problem for an unknown or expired link.
public struct FirmwareController: APIModule {
    let images: FirmwareImages
    let downloads: FirmwareDownloads?

    /// The routes over `images`, and the download links of `downloads`.
    public init(images: FirmwareImages, downloads: FirmwareDownloads? = nil) {
        self.images = images
        self.downloads = downloads
    }

    public func addOpenRoutes(to router: Router<APIRequestContext>) {
        guard downloads != nil else { return }
        router.get("/\(FirmwareDownloads.pathSegment)/{token}", use: download)
        router.rejectOtherMethods("/\(FirmwareDownloads.pathSegment)/{token}", allowed: [.get, .head])
    }

    /// `GET /fw/{token}`: the image of a live download link.
    @Sendable func download(_ request: Request, context: APIRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        guard let downloads, let link = downloads.link(token) else {
            downloads?.refused(token, via: "http", peer: nil)
            throw Problem(
                type: Problem.typeBase + "download-not-found", title: "Download not found", status: .notFound,
                detail: "The download link is unknown or has expired.")
        }
        let response = try await ImageResponse().response(
            for: link.image, file: link.file, request: request, context: context)
        if request.method == .get {
            let length = response.headers[.contentLength].flatMap { Int64($0) } ?? 0
            Counter(label: "lwm2m_firmware_download_requests_total", dimensions: [("transport", "http")]).increment()
            Counter(label: "lwm2m_firmware_bytes_served_total", dimensions: [("transport", "http")])
                .increment(by: length)
        }
        return response
    }

    /// `{"firmware":[...]}`.
    struct FirmwareList: ResponseEncodable {
        var firmware: [FirmwareDTO]
    }

    /// The upload streams the image to a file under `--max-firmware-size`.
    public var streamingUploads: [String] { ["/api/v1/firmware"] }

    public func addRoutes(to router: Router<APIRequestContext>) {
        router.post("/api/v1/firmware", use: upload)
        router.get("/api/v1/firmware", use: list)
        router.get("/api/v1/firmware/{id}", use: show)
        router.delete("/api/v1/firmware/{id}", use: remove)
        router.get("/api/v1/firmware/{id}/content", use: content)
        router.rejectOtherMethods("/api/v1/firmware", allowed: [.get, .head, .post])
        router.rejectOtherMethods("/api/v1/firmware/{id}", allowed: [.get, .head, .delete])
        router.rejectOtherMethods("/api/v1/firmware/{id}/content", allowed: [.get, .head])
    }

    /// A name, version or model: 1 to 100 characters, no control characters.
    static func label(_ parameters: FlatDictionary<Substring, Substring>, _ name: String, required: Bool) throws(Problem)
        -> String?
    {
        guard let raw = parameters[Substring(name)] else {
            guard !required else {
                throw Problem.invalidQueryParameter(name, value: "", expected: "the image's \(name) (required)")
            }
            return nil
        }
        let value = String(raw)
        guard !value.isEmpty, value.unicodeScalars.count <= 100, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw Problem.invalidQueryParameter(
                name, value: value, expected: "1 to 100 characters without control characters")
        }
        return value
    }

    @Sendable func upload(_ request: Request, context: APIRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters  // others: QueryParameterMiddleware's 400
        let name = try Self.label(parameters, "name", required: true)!
        let version = try Self.label(parameters, "version", required: true)!
        let model = try Self.label(parameters, "model", required: false)
        let mediaType = request.headers[.contentType]?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard mediaType == "application/octet-stream" else {
            throw Problem(
                type: Problem.typeBase + "unsupported-media-type", title: "Unsupported media type",
                status: .unsupportedMediaType,
                detail: "The body is the image itself: send it as application/octet-stream.")
        }
        if let length = request.headers[.contentLength].flatMap({ Int64($0) }), length > images.maxSize {
            throw Problem.firmwareUpload(.tooLarge(limit: images.maxSize))
        }
        let completed: CompletedUpload
        do {
            let upload = try images.beginUpload()
            do {
                for try await buffer in request.body {
                    try buffer.withUnsafeReadableBytes { try upload.append($0) }
                }
            } catch {
                upload.abort()
                throw error
            }
            completed = try upload.complete()
        } catch let error as FirmwareUploadError {
            context.logger.warning("firmware upload refused", metadata: [
                "name": "\(name)", "version": "\(version)", "reason": "\(error)",
            ])
            throw Problem.firmwareUpload(error)
        }
        do {
            let (image, created) = try await images.store(completed, name: name, version: version, model: model)
            var response = try FirmwareDTO(image).response(from: request, context: context)
            response.status = created ? .created : .ok
            response.headers[.location] = "/api/v1/firmware/\(image.id)"
            return response
        } catch FirmwareStoreError.versionTaken(let existing) {
            context.logger.warning("firmware upload refused: version taken", metadata: [
                "name": "\(name)", "version": "\(version)", "existing": "\(existing.id)",
            ])
            throw Problem.firmwareVersionTaken(existing)
        }
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> FirmwareList {
        FirmwareList(firmware: try await images.all().map(FirmwareDTO.init))
    }

    /// The image named by the `{id}` path parameter, or a 404 problem.
    func image(_ context: APIRequestContext) async throws -> FirmwareImage {
        let raw = try context.parameters.require("id")
        guard let id = Int64(raw), let image = try await images.image(id: id) else {
            throw Problem.firmwareNotFound(raw)
        }
        return image
    }

    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> FirmwareDTO {
        FirmwareDTO(try await image(context))
    }

    @Sendable func remove(_ request: Request, context: APIRequestContext) async throws -> Response {
        let raw = try context.parameters.require("id")
        do {
            guard let id = Int64(raw), try await images.remove(id: id) != nil else {
                throw Problem.firmwareNotFound(raw)
            }
        } catch FirmwareStoreError.inUse(let id, let updates, let campaigns) {
            throw Problem.firmwareInUse(id: id, updates: updates, campaigns: campaigns)
        }
        return Response(status: .noContent)
    }

    @Sendable func content(_ request: Request, context: APIRequestContext) async throws -> Response {
        let image = try await image(context)
        return try await ImageResponse().response(
            for: image, file: images.fileURL(of: image), request: request, context: context)
    }
}
