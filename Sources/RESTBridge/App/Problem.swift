import Foundation
import Hummingbird

/// An RFC 9457 problem detail: the body of every error response of the API (`application/problem+json`).
///
/// Throw it from a handler or middleware; `ProblemMiddleware` fills `instance` with the request path.
/// `detail` is shown to clients: never put SQL, file paths or other internal error text in it (log those).
public struct Problem: Error, Sendable, Equatable {
    /// The problem's type URI: `about:blank` for plain HTTP errors, else a URL under `https://lwm2m.dev/problems/`.
    public var type: String
    /// A short summary of the problem type (the status phrase for `about:blank`).
    public var title: String
    /// The HTTP status code.
    public var status: HTTPResponse.Status
    /// A human-readable explanation of this occurrence, when there is more to say than the title.
    public var detail: String?
    /// The request path the problem occurred on.
    public var instance: String?
    /// Extra response headers (e.g. `WWW-Authenticate`, `Allow`).
    public var headers: HTTPFields
    /// RFC 9457 §3.2 extension members, sent next to the standard ones (`coapCode`, `pointer`).
    public var extensions: [String: String]

    /// The media type of problem bodies.
    public static let mediaType = "application/problem+json"
    /// The prefix of this API's problem type URIs.
    public static let typeBase = "https://lwm2m.dev/problems/"

    /// Creates a problem.
    public init(
        type: String = "about:blank", title: String? = nil, status: HTTPResponse.Status, detail: String? = nil,
        instance: String? = nil, headers: HTTPFields = [:], extensions: [String: String] = [:]
    ) {
        self.type = type
        self.title = title ?? status.reasonPhrase
        self.status = status
        self.detail = detail
        self.instance = instance
        self.headers = headers
        self.extensions = extensions
    }

    /// The JSON body members, in RFC 9457 §3.1 names, plus the extension members at the same level.
    struct Body: Encodable, Equatable {
        var type: String
        var title: String
        var status: Int
        var detail: String?
        var instance: String?
        var extensions: [String: String]

        /// A coding key for any member name.
        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ name: String) { stringValue = name }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        /// Writes the standard members, then every extension member whose name is not a standard one.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(type, forKey: Key("type"))
            try container.encode(title, forKey: Key("title"))
            try container.encode(status, forKey: Key("status"))
            try container.encodeIfPresent(detail, forKey: Key("detail"))
            try container.encodeIfPresent(instance, forKey: Key("instance"))
            let standard: Set = ["type", "title", "status", "detail", "instance"]
            for (name, value) in extensions where !standard.contains(name) {
                try container.encode(value, forKey: Key(name))
            }
        }
    }

    /// The serialized body.
    var body: Body {
        Body(
            type: type, title: title, status: status.code, detail: detail, instance: instance, extensions: extensions)
    }
}

extension Problem {
    /// 404 for a path no route matches.
    static func routeNotFound(method: HTTPRequest.Method, path: String) -> Problem {
        Problem(status: .notFound, detail: "No resource at \(method.rawValue) \(path).")
    }

    /// 405 for a known path asked with a method it does not support; lists the allowed ones in `Allow`.
    static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> Problem {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        return Problem(
            status: .methodNotAllowed, detail: "\(method.rawValue) is not supported here; use \(allow).",
            headers: [.allow: allow])
    }

    /// 400 for a query parameter whose value cannot be used.
    static func invalidQueryParameter(_ name: String, value: String, expected: String) -> Problem {
        Problem(
            type: typeBase + "invalid-query-parameter", title: "Invalid query parameter", status: .badRequest,
            detail: "Query parameter '\(name)' is '\(value)'; expected \(expected).")
    }

    /// 401 for a missing, unknown or expired bearer token (RFC 6750 §3); `detail` replaces the default one.
    static func unauthorized(tokenPresent: Bool, detail: String? = nil) -> Problem {
        Problem(
            type: typeBase + "unauthorized", title: "Unauthorized", status: .unauthorized,
            detail: detail ?? (tokenPresent
                ? "The bearer token is not valid." : "This resource requires 'Authorization: Bearer <token>'."),
            headers: [.wwwAuthenticate: tokenPresent ? #"Bearer error="invalid_token""# : "Bearer"])
    }

    /// 404 for an endpoint name that never registered.
    static func endpointNotFound(_ name: String) -> Problem {
        Problem(
            type: typeBase + "endpoint-not-found", title: "Endpoint not found", status: .notFound,
            detail: "No endpoint named '\(name)' has registered.")
    }

    /// 503 when the database does not answer.
    static var databaseUnavailable: Problem {
        Problem(
            type: typeBase + "database-unavailable", title: "Database unavailable", status: .serviceUnavailable,
            detail: "The database did not answer.")
    }

    /// 500 for anything unexpected; the cause is logged, never sent.
    static var internalError: Problem {
        Problem(status: .internalServerError, detail: "The server failed to handle the request.")
    }
}

extension Problem: HTTPResponseError {
    /// Renders the problem as an `application/problem+json` response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var problem = self
        if problem.instance == nil { problem.instance = request.uri.path }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(problem.body)
        var headers = problem.headers
        headers[.contentType] = Self.mediaType
        headers[.contentLength] = String(data.count)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
