import Hummingbird
import Logging
import Metrics

/// Counts, times and logs every HTTP request (replacing Hummingbird's `MetricsMiddleware` and the debug request
/// log): `hb_requests_total{hb_method,hb_path,status}`, `hb_request_duration_seconds{hb_method,hb_path}` (a
/// histogram), `hb_request_errors_total{hb_method,hb_path,status}` for server errors (5xx) only, and one access
/// line per request at info: method, path, status, milliseconds. `hb_path` is the route's template
/// (`/api/v1/endpoints/{endpoint}`), never the concrete path, so label values stay few; an unmatched path is
/// `NotFound`.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        var status = 500
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            record(request, context: context, status: status, since: start)
            return response
        } catch let error as any HTTPResponseError {
            status = Int(error.status.code)
            record(request, context: context, status: status, since: start)
            throw error
        } catch {
            record(request, context: context, status: status, since: start)
            throw error
        }
    }

    private func record(_ request: Request, context: Context, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "NotFound"
        let method = request.method.rawValue
        Counter(label: "hb_requests_total", dimensions: [("hb_method", method), ("hb_path", route), ("status", "\(status)")])
            .increment()
        Timer(label: "hb_request_duration_seconds", dimensions: [("hb_method", method), ("hb_path", route)])
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        if status >= 500 {
            Counter(label: "hb_request_errors_total", dimensions: [("hb_method", method), ("hb_path", route), ("status", "\(status)")])
                .increment()
        }
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info("http request", metadata: [
            "method": "\(method)", "path": "\(request.uri.path)", "status": "\(status)",
            "ms": "\((milliseconds * 10).rounded() / 10)",
        ])
    }
}
