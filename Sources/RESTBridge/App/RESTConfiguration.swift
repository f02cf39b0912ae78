/// Where the REST API listens and how it authenticates.
public struct RESTConfiguration: Sendable {
    /// The interface to bind (`"127.0.0.1"`, `"0.0.0.0"`, `"::"`).
    public var host: String
    /// The TCP port; 0 picks a free port.
    public var port: Int
    /// The bootstrap admin token; `nil` disables authentication (every request is an admin).
    public var apiToken: String?
    /// A token that opens `GET /metrics` only (`--metrics-token`), when given.
    public var metricsToken: String?
    /// The largest request body in bytes (`--max-body-size`; the firmware upload has its own limit).
    public var maxBodySize: Int = 1 << 20
    /// The most live-stream clients (SSE and WebSocket together, `--max-stream-clients`).
    public var maxStreamClients: Int = 256
    /// The interval of keep-alive comments on the server-sent event stream.
    public var streamKeepAlive: Duration
    /// The most endpoints one bulk `POST /api/v1/operations` may target.
    public var bulkOperationLimit: Int

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, apiToken: String?, streamKeepAlive: Duration = .seconds(15),
        bulkOperationLimit: Int = 10_000, metricsToken: String? = nil
    ) {
        self.metricsToken = metricsToken
        self.bulkOperationLimit = bulkOperationLimit
        self.host = host
        self.port = port
        self.apiToken = apiToken
        self.streamKeepAlive = streamKeepAlive
    }
}
