import CoAP
import Foundation
import Logging
import Metrics
import ResourceModel
import Synchronization

/// The download links of firmware updates (LwM2M 1.1 Core §E.6, Package URI `/5/0/1`): one unguessable token per
/// update, tied to its image, expiring with it. The same token serves `coap://HOST:PORT/fw/<token>` (and
/// `coaps://`) from the server's own listening sockets, one Block2 block per request with the image's ETag on
/// every block (a device resumes by asking for the block it reached), and
/// `GET /fw/<token>` on the HTTP port with ETag and Range; no other credential is needed, so a link that is
/// unknown, revoked or expired is refused (4.04 / 404) and logged.
public final class FirmwareDownloads: Sendable {
    /// What one token opens.
    public struct Link: Sendable, Equatable {
        /// The token (43 characters of base64url: 256 random bits).
        public var token: String
        /// The image.
        public var image: FirmwareImage
        /// Its file.
        public var file: URL
        /// The update the link belongs to, when it belongs to one.
        public var updateID: Int64?
        /// When the link stops working.
        public var expiresAt: Date
    }

    private struct State {
        var links: [String: Link] = [:]
        /// One mapping per image content, shared by every CoAP transfer of it.
        var mapped: [String: CoAPMappedBody] = [:]
    }

    private let state = Mutex(State())
    private let logger: Logger
    private let clock: @Sendable () -> Date

    /// The Uri-Path segment and HTTP path prefix of download links.
    public static let pathSegment = "fw"

    /// Creates an empty registry.
    public init(logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.logger = logger
        self.clock = clock
    }

    /// A new token for `image` in `file`, valid until `expiresAt`.
    public func issue(for image: FirmwareImage, file: URL, updateID: Int64? = nil, expiresAt: Date) -> Link {
        var generator = SystemRandomNumberGenerator()  // getrandom(2)
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let link = Link(token: token, image: image, file: file, updateID: updateID, expiresAt: expiresAt)
        restore(link)
        return link
    }

    /// Puts back a link stored with its update (after a restart).
    public func restore(_ link: Link) {
        state.withLock { $0.links[link.token] = link }
    }

    /// Ends a link (its update finished or was cancelled).
    public func revoke(_ token: String) {
        state.withLock { state in
            guard let link = state.links.removeValue(forKey: token) else { return }
            if !state.links.values.contains(where: { $0.image.sha256 == link.image.sha256 }) {
                state.mapped.removeValue(forKey: link.image.sha256)  // transfers in flight keep their reference
            }
        }
    }

    /// The live link of `token`, or `nil` (unknown, revoked or expired: an expired one is dropped).
    public func link(_ token: String) -> Link? {
        let now = clock()
        return state.withLock { state in
            guard let link = state.links[token] else { return nil }
            guard link.expiresAt > now else {
                state.links.removeValue(forKey: token)
                return nil
            }
            return link
        }
    }

    /// The number of live links.
    public var count: Int { state.withLock { $0.links.count } }

    /// Logs a refused download; `via` is `coap`, `coaps` or `http`.
    public func refused(_ token: String, via transport: String, peer: String?) {
        logger.warning("firmware download refused: unknown or expired link", metadata: [
            "token": "\(token.prefix(6))…", "transport": "\(transport)", "peer": "\(peer ?? "-")",
        ])
    }

    /// The handler to mount at `/fw` in the CoAP route table: GET `/fw/<token>` is 2.05 with the image
    /// (Content-Format 42, block-wise from the mapped file, ETag from its SHA-256); an unknown or expired token is
    /// 4.04, another method 4.05, a missing or extra path segment 4.04.
    public func coapHandler() -> CoAPEndpoint.RequestHandler {
        { [self] inbound in
            let path = inbound.request.uriPath
            guard path.count == 2, path[0] == Self.pathSegment else {
                return .error(.notFound, "no such download")
            }
            guard inbound.request.method == .get else {
                return .error(.methodNotAllowed, "downloads are read with GET")
            }
            guard let link = link(path[1]) else {
                refused(path[1], via: inbound.isSecure ? "coaps" : "coap", peer: inbound.peerAddress)
                return .error(.notFound, "unknown or expired download link")
            }
            // Every block request reaches this handler (the endpoint keeps no transfer state); one for the first
            // block starts a download.
            if (inbound.request.block2?.num ?? 0) == 0 {
                Counter(label: "lwm2m_firmware_download_requests_total",
                        dimensions: [("transport", inbound.isSecure ? "coaps" : "coap")]).increment()
            }
            do {
                let body = try mappedBody(for: link)
                return CoAPResponse(code: .content, contentFormat: 42, mappedBody: body)
            } catch {
                logger.error("firmware image cannot be served", metadata: [
                    "image": "\(link.image.id)", "file": "\(link.file.path)", "error": "\(error)",
                ])
                return .error(.internalServerError, "the image cannot be read")
            }
        }
    }

    /// The shared mapping of `link`'s image, made on first use.
    private func mappedBody(for link: Link) throws -> CoAPMappedBody {
        if let body = state.withLock({ $0.mapped[link.image.sha256] }) { return body }
        let served = Counter(label: "lwm2m_firmware_bytes_served_total", dimensions: [("transport", "coap")])
        let body = try CoAPMappedBody(
            file: link.file, etag: CoAPMappedBody.etag(sha256: link.image.sha256),
            onServe: { served.increment(by: $0) })
        return state.withLock { state in
            if let existing = state.mapped[link.image.sha256] { return existing }
            state.mapped[link.image.sha256] = body
            return body
        }
    }
}
