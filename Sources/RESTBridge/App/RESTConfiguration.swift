/// Where the REST API listens and how it authenticates.
public struct RESTConfiguration: Sendable {
    /// The interface to bind (`"127.0.0.1"`, `"0.0.0.0"`, `"::"`).
    public var host: String
    /// The TCP port; 0 picks a free port.
    public var port: Int
    /// The bearer token every route but `/healthz` requires; `nil` disables authentication.
    public var apiToken: String?
    /// The interval of keep-alive comments on the server-sent event stream.
    public var streamKeepAlive: Duration
    /// The most endpoints one bulk `POST /api/v1/operations` may target.
    public var bulkOperationLimit: Int

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, apiToken: String?, streamKeepAlive: Duration = .seconds(15),
        bulkOperationLimit: Int = 10_000
    ) {
        self.bulkOperationLimit = bulkOperationLimit
        self.host = host
        self.port = port
        self.apiToken = apiToken
        self.streamKeepAlive = streamKeepAlive
    }
}
