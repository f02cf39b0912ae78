import Hummingbird

/// The REST routes of a module that plugs into the server (firmware, later alerts and forwarding): the composition
/// root hands its modules to `buildApplication`, which adds their routes beside the built-in ones. `addRoutes`
/// comes after the bearer-token check; `addOpenRoutes` before it, for paths that carry their own credential (a
/// firmware download link's token). A module adds `rejectOtherMethods` for its paths itself.
public protocol APIModule: Sendable {
    /// Adds the routes that need the API token.
    func addRoutes(to router: Router<APIRequestContext>)
    /// Adds the routes reachable without the API token.
    func addOpenRoutes(to router: Router<APIRequestContext>)
    /// The `POST` paths that stream their request body under a limit of their own (the REST body limit,
    /// `--max-body-size`, does not apply to them).
    var streamingUploads: [String] { get }
}

extension APIModule {
    /// No open routes.
    public func addOpenRoutes(to router: Router<APIRequestContext>) {}
    /// No streaming uploads.
    public var streamingUploads: [String] { [] }
}
