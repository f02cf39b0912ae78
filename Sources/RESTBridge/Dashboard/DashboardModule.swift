import Foundation
import Hummingbird

/// The web dashboard (issue P9): the static HTML, CSS and JavaScript of `Dashboard/` served at `/` and
/// `/dashboard/{file}` without a token (the pages call the REST API with the operator's token), and the OpenAPI
/// document at `/api/v1/openapi.yaml` (a reader's token). The files are read once at start; no build step, no CDN.
public struct DashboardModule: APIModule {
    /// A file as served.
    struct Asset: Sendable {
        var bytes: ByteBuffer
        var contentType: String
    }

    /// The dashboard's files by name (`index.html`, `app.js`, ...).
    let assets: [String: Asset]
    /// The OpenAPI document, when found.
    let openAPI: ByteBuffer?
    /// Where the files came from, for the start log.
    public let directory: URL?

    /// The content types of the files the dashboard may have; other files in the directory are not served.
    static let contentTypes = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon", "json": "application/json",
    ]

    /// Headers every dashboard file gets: only this server's scripts, styles and API; never framed; no referrer.
    static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy",
         "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-cache"),
    ]

    /// The module with the files of the first directory found (see `directoryCandidates`).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let directory = Self.firstExisting(Self.candidates("Dashboard", environment: environment["LWM2M_DASHBOARD"]))
        var assets: [String: Asset] = [:]
        if let directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) {
            for name in names {
                guard let type = Self.contentTypes[(name as NSString).pathExtension.lowercased()],
                      let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
                else { continue }
                assets[name] = Asset(bytes: ByteBuffer(bytes: data), contentType: type)
            }
        }
        self.assets = assets
        self.directory = directory
        let document = Self.firstExisting(
            Self.candidates("docs/openapi.yaml", environment: environment["LWM2M_OPENAPI"]), directory: false)
        openAPI = document.flatMap { FileManager.default.contents(atPath: $0.path) }.map { ByteBuffer(bytes: $0) }
    }

    /// `configured`, `./<name>`, `<name>` beside the executable and up to four directories above it (a checkout
    /// built in place), then `/usr/share/lwm2m-server/<last path component>`.
    static func candidates(_ name: String, environment configured: String?) -> [URL] {
        var candidates: [URL] = []
        if let configured, !configured.isEmpty { candidates.append(URL(fileURLWithPath: configured)) }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(name))
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent(name))
            directory = directory.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: "/usr/share/lwm2m-server").appendingPathComponent(
            (name as NSString).lastPathComponent))
        return candidates
    }

    static func firstExisting(_ candidates: [URL], directory wanted: Bool = true) -> URL? {
        candidates.first { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
                && isDirectory.boolValue == wanted
        }
    }

    public func addOpenRoutes(to router: Router<APIRequestContext>) {
        router.get("/") { _, _ in try self.serve("index.html") }
        router.get("/dashboard/{file}") { _, context in
            try self.serve(try context.parameters.require("file"))
        }
    }

    public func addRoutes(to router: Router<APIRequestContext>) {
        router.get("/api/v1/openapi.yaml") { _, _ -> Response in
            guard let openAPI else { throw Problem.unavailable("The OpenAPI document (docs/openapi.yaml)") }
            return Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: .init(byteBuffer: openAPI))
        }
        router.rejectOtherMethods("/api/v1/openapi.yaml", allowed: [.get, .head])
    }

    func serve(_ name: String) throws -> Response {
        guard let asset = assets[name] else {
            if name == "index.html" { throw Problem.unavailable("The dashboard (no Dashboard directory was found)") }
            throw HTTPError(.notFound)
        }
        var headers: HTTPFields = [.contentType: asset.contentType]
        for (field, value) in Self.securityHeaders { headers[.init(field)!] = value }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.bytes))
    }
}
