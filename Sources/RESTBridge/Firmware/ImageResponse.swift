import FirmwareOTA
import Foundation
import Hummingbird
import ResourceModel

/// Serves an image's bytes over HTTP with what a device or an operator needs to resume a cut download
/// (RFC 9110): a strong `ETag` from the image's SHA-256, `Accept-Ranges: bytes`, a single `Range` (`bytes=a-b`,
/// `bytes=a-`, `bytes=-n`) answered 206 with `Content-Range`, `If-Range` (a range only while the ETag still
/// matches, else the whole image) and `If-Match` (412 when it does not). Several ranges in one request get the
/// whole image (a client may always be sent the full representation). The file is streamed from disk.
struct ImageResponse {
    let fileIO = FileIO()

    /// The strong entity tag of `image`.
    static func etag(_ image: FirmwareImage) -> String { "\"\(image.sha256)\"" }

    /// The answer to a GET or HEAD of `image`'s bytes in `file`.
    func response(
        for image: FirmwareImage, file: URL, request: Request, context: some RequestContext
    ) async throws -> Response {
        let etag = Self.etag(image)
        var headers: HTTPFields = [
            .contentType: image.contentType, .eTag: etag, .acceptRanges: "bytes",
            .contentDisposition: "attachment; filename=\"\(image.name)-\(image.version).bin\"",
        ]
        if let ifMatch = request.headers[.ifMatch], !Self.matches(ifMatch, etag) {
            throw Problem(
                type: Problem.typeBase + "precondition-failed", title: "Precondition failed",
                status: .preconditionFailed, detail: "The image's ETag is \(etag).")
        }
        var range: ClosedRange<Int64>?
        if let header = request.headers[.range] {
            let ifRange = request.headers[.ifRange]
            if ifRange == nil || ifRange == etag {
                switch Self.byteRange(header, size: image.size) {
                case .whole: range = nil
                case .unsatisfiable: throw Problem.rangeNotSatisfiable(size: image.size)
                case .part(let part): range = part
                }
            }
        }
        let bytes = range ?? 0...(image.size - 1)
        headers[.contentLength] = String(bytes.count)
        if range != nil { headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(image.size)" }
        let status: HTTPResponse.Status = range == nil ? .ok : .partialContent
        if request.method == .head { return Response(status: status, headers: headers) }
        let body = try await fileIO.loadFile(
            path: file.path, range: Int(bytes.lowerBound)...Int(bytes.upperBound), context: context)
        return Response(status: status, headers: headers, body: body)
    }

    /// Whether an `If-Match` list names `etag` (or is `*`).
    static func matches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { tag in
            let trimmed = tag.trimmingCharacters(in: .whitespaces)
            return trimmed == "*" || trimmed == etag
        }
    }

    /// What a `Range` header asks of an image of `size` bytes.
    enum ByteRange: Equatable {
        /// Not a single byte range this server serves in part: send everything.
        case whole
        /// Outside the image: 416.
        case unsatisfiable
        /// These bytes.
        case part(ClosedRange<Int64>)
    }

    /// Parses `bytes=a-b`, `bytes=a-` and `bytes=-n` (RFC 9110 §14.1.2) against `size`.
    static func byteRange(_ header: String, size: Int64) -> ByteRange {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes="), size > 0 else { return .whole }
        let spec = text.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        let digits = { (text: String) in !text.isEmpty && text.utf8.allSatisfy { (0x30...0x39).contains($0) } }
        if first.isEmpty {
            // A suffix: the last n bytes.
            guard digits(last), let count = Int64(last) else { return .whole }
            guard count > 0 else { return .unsatisfiable }
            return .part(max(0, size - count)...(size - 1))
        }
        guard digits(first), let start = Int64(first) else { return .whole }
        guard start < size else { return .unsatisfiable }
        if last.isEmpty { return .part(start...(size - 1)) }
        guard digits(last), let end = Int64(last), end >= start else { return .whole }
        return .part(start...min(end, size - 1))
    }
}
