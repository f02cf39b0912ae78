import Hummingbird
import Metrics

/// Caps the request body of every route it wraps at `maxBytes` (`--max-body-size`): a larger `Content-Length`
/// is refused before anything is read, a body without one is read up to the limit and refused past it; both are a
/// 413 problem, a log line and `lwm2m_limit_refusals_total{limit="rest-body"}`. Routes that stream their own
/// body under their own limit (a module's `streamingUploads`, e.g. the firmware upload) pass through.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int
    /// `POST` paths that stream their own body.
    let streamingUploads: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if request.method == .post, streamingUploads.contains(request.uri.path) {
            return try await next(request, context)
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBytes {
            throw refusal(request, context, bytes: "\(length)")
        }
        var request = request
        do {
            let buffer = try await request.body.collect(upTo: maxBytes)
            request.body = .init(buffer: buffer)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw refusal(request, context, bytes: "more than \(maxBytes)")
        }
        return try await next(request, context)
    }

    private func refusal(_ request: Request, _ context: Context, bytes: String) -> Problem {
        Counter(label: "lwm2m_limit_refusals_total", dimensions: [("limit", "rest-body")]).increment()
        context.logger.warning("request refused: body too large", metadata: [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "bytes": "\(bytes)",
            "limit": "\(maxBytes)",
        ])
        return Problem(
            type: Problem.typeBase + "body-too-large", title: "Body too large", status: .contentTooLarge,
            detail: "The request body is \(bytes) bytes; this server takes at most \(maxBytes) (--max-body-size).")
    }
}
