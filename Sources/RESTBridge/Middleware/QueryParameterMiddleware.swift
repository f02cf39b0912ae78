import Hummingbird

/// The query parameters each API route takes, as `docs/openapi.yaml` lists them (`QueryParameterTableTests` holds
/// the two together): any other parameter is a 400 `invalid-query-parameter` on every route alike, where some routes
/// used to refuse unknown parameters and others ignored them (`/endpoints?limit=2` once returned every endpoint).
/// Routes outside the table (the dashboard's files, firmware download links) are not checked, nor the open ones
/// registered before the token check (`/healthz`: probes may add what they like).
enum QueryParameterTable {
    /// `"METHOD /template"` (HEAD is looked up as GET) → the parameter names.
    static let routes: [String: Set<String>] = [
        "GET /metrics": [],
        "GET /healthz": [],
        "GET /api/v1/openapi.yaml": [],
        "GET /api/v1/endpoints": ["cursor", "limit", "name", "object", "online", "presence"],
        "GET /api/v1/endpoints/{endpoint}": [],
        "GET /api/v1/endpoints/{endpoint}/resources/{path}": ["expiresIn", "format", "timeout"],
        "PUT /api/v1/endpoints/{endpoint}/resources/{path}": ["expiresIn", "format", "timeout"],
        "PATCH /api/v1/endpoints/{endpoint}/resources/{path}": ["expiresIn", "format", "timeout"],
        "POST /api/v1/endpoints/{endpoint}/resources/{path}": ["expiresIn", "format", "timeout"],
        "DELETE /api/v1/endpoints/{endpoint}/resources/{path}": ["expiresIn", "format", "timeout"],
        "POST /api/v1/endpoints/{endpoint}/resources/{path}/execute": ["expiresIn", "format", "timeout"],
        "GET /api/v1/endpoints/{endpoint}/resources/{path}/discover": ["expiresIn", "format", "timeout"],
        "PUT /api/v1/endpoints/{endpoint}/resources/{path}/attributes": ["epmax", "epmin", "expiresIn", "format", "gt", "lt", "pmax", "pmin", "st", "timeout"],
        "GET /api/v1/endpoints/{endpoint}/composite": ["expiresIn", "format", "paths", "timeout"],
        "PUT /api/v1/endpoints/{endpoint}/composite": ["expiresIn", "format", "timeout"],
        "GET /api/v1/objects": [],
        "GET /api/v1/objects/{id}": [],
        "GET /api/v1/endpoints/{endpoint}/telemetry": ["agg", "bucket", "cursor", "format", "from", "limit", "order", "path", "to"],
        "GET /api/v1/endpoints/{endpoint}/latest": [],
        "GET /api/v1/endpoints/{endpoint}/observations": [],
        "POST /api/v1/endpoints/{endpoint}/observations": ["expiresIn", "format", "timeout"],
        "DELETE /api/v1/endpoints/{endpoint}/observations": ["expiresIn", "paths", "timeout"],
        "POST /api/v1/endpoints/{endpoint}/operations": [],
        "GET /api/v1/endpoints/{endpoint}/operations": ["before", "limit", "status"],
        "POST /api/v1/operations": [],
        "GET /api/v1/operations": ["before", "endpoint", "limit", "status"],
        "GET /api/v1/operations/{id}": [],
        "DELETE /api/v1/operations/{id}": [],
        "GET /api/v1/events": ["endpoint", "from", "limit", "to", "type"],
        "GET /api/v1/event-rules": [],
        "POST /api/v1/event-rules": [],
        "DELETE /api/v1/event-rules/{name}": [],
        "GET /api/v1/observation-profiles": [],
        "POST /api/v1/observation-profiles": [],
        "DELETE /api/v1/observation-profiles/{name}": [],
        "GET /api/v1/tokens": [],
        "POST /api/v1/tokens": [],
        "DELETE /api/v1/tokens/{name}": [],
        "GET /api/v1/security": [],
        "GET /api/v1/security/{endpoint}": [],
        "PUT /api/v1/security/{endpoint}": [],
        "DELETE /api/v1/security/{endpoint}": [],
        "GET /api/v1/firmware": [],
        "POST /api/v1/firmware": ["model", "name", "version"],
        "GET /api/v1/firmware/{id}": [],
        "DELETE /api/v1/firmware/{id}": [],
        "GET /api/v1/firmware/{id}/content": [],
        "POST /api/v1/endpoints/{endpoint}/firmware-updates": [],
        "GET /api/v1/endpoints/{endpoint}/firmware-updates": [],
        "GET /api/v1/firmware-updates/{id}": [],
        "POST /api/v1/firmware-updates/{id}/cancel": [],
        "POST /api/v1/campaigns": [],
        "GET /api/v1/campaigns": [],
        "GET /api/v1/campaigns/{id}": [],
        "POST /api/v1/campaigns/{id}/pause": [],
        "POST /api/v1/campaigns/{id}/resume": [],
        "POST /api/v1/campaigns/{id}/cancel": [],
        "GET /api/v1/stream": ["endpoint", "events"],
        "GET /api/v1/ws": ["endpoint", "events"],
    ]

    /// The names `method` on the route template `template` (Hummingbird's form, `**` for `{path}`) takes, or `nil`
    /// for a route the table does not cover.
    static func parameters(method: HTTPRequest.Method, template: String) -> Set<String>? {
        let name = method == .head ? "GET" : method.rawValue
        return routes["\(name) \(openAPITemplate(template))"]
    }

    /// `template` as the OpenAPI document writes it: `{path}` for the recursive capture.
    static func openAPITemplate(_ template: String) -> String {
        template.replacingOccurrences(of: "**", with: "{path}")
    }
}

/// Refuses a query parameter the matched route does not take (`QueryParameterTable`), before the route runs.
struct QueryParameterMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let template = context.endpointPath,
            let allowed = QueryParameterTable.parameters(method: request.method, template: template)
        {
            for (key, value) in request.uri.queryParameters where !allowed.contains(String(key)) {
                throw Problem.invalidQueryParameter(
                    String(key), value: String(value),
                    expected: allowed.isEmpty
                        ? "no query parameters on this route"
                        : "one of \(allowed.sorted().joined(separator: ", "))")
            }
        }
        return try await next(request, context)
    }
}
