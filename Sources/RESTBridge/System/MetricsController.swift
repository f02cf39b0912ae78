import Hummingbird
import Prometheus

/// `GET /metrics`: the process's metrics in the Prometheus text format (0.0.4), for a scraper with the bearer
/// token (Prometheus: `authorization: {credentials: <token>}`). Without a registry it answers 503.
struct MetricsController {
    /// The registry the server's metrics backend writes to.
    let registry: PrometheusCollectorRegistry?

    static let path = "/metrics"

    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        router.get(RouterPath(Self.path), use: metrics)
        router.rejectOtherMethods(RouterPath(Self.path), allowed: [.get, .head])
    }

    @Sendable func metrics(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard let registry else { throw Problem.unavailable("Metrics") }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let text = MetricsExposition.render(String(decoding: buffer, as: UTF8.self))
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
