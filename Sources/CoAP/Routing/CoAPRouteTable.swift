import Synchronization

/// The server's CoAP routes: handlers mounted by path prefix (`/rd`, `/dp`, later `/bs` or a firmware download
/// path), so that a module adds its resources without editing the others. A request goes to the handler with the
/// longest mounted prefix of its Uri-Path; with none, it is answered 4.04.
///
/// `route(_:)` runs on the CoAP I/O thread for every request: a handler must not block.
public final class CoAPRouteTable: Sendable {
    /// One mounted handler.
    public struct Route: Sendable {
        /// The Uri-Path prefix, as segments (`["rd"]`).
        public let prefix: [String]
        /// The handler; `nil` answers nothing (an empty ACK for a confirmable request).
        public let handler: CoAPEndpoint.RequestHandler
    }

    private let routes = Mutex<[Route]>([])

    /// Creates an empty table.
    public init() {}

    /// Mounts `handler` at `path` (`/rd`, `/fw/images`); requests to it and below it go there.
    ///
    /// A path mounted twice is a programming error (two modules claiming one resource): it traps.
    public func mount(_ path: String, handler: @escaping CoAPEndpoint.RequestHandler) {
        let prefix = Self.segments(path)
        routes.withLock { routes in
            precondition(!routes.contains { $0.prefix == prefix }, "CoAP path \(path) is mounted twice")
            routes.append(Route(prefix: prefix, handler: handler))
            // Longest prefix first, so the most specific mount wins.
            routes.sort { $0.prefix.count > $1.prefix.count }
        }
    }

    /// The mounted paths, most specific first (for logs and the README).
    public var mountedPaths: [String] {
        routes.withLock { $0.map { "/" + $0.prefix.joined(separator: "/") } }
    }

    /// The handler for `inbound`'s path answers it; 4.04 Not Found when no mounted prefix matches.
    public func route(_ inbound: CoAPInboundRequest) -> CoAPResponse? {
        let path = inbound.request.uriPath
        let handler = routes.withLock { routes in
            routes.first { $0.prefix.count <= path.count && Array(path.prefix($0.prefix.count)) == $0.prefix }?.handler
        }
        guard let handler else { return .error(.notFound, "no resource at \(inbound.request.path)") }
        return handler(inbound)
    }

    static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }
}
