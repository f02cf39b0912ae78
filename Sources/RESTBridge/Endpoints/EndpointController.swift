import Foundation
import Hummingbird
import ResourceModel

/// `GET /api/v1/endpoints` and `GET /api/v1/endpoints/{endpoint}`: the endpoints the server knows.
struct EndpointController {
    /// Where endpoints are read from.
    let repository: any EndpointStore
    /// Knows which endpoints are reachable now (`presence`); `nil` leaves it out.
    var dispatcher: OperationDispatcher? = nil

    /// Registers the routes (and 405 answers for the other methods) on `router`.
    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        router.get("/api/v1/endpoints", use: list)
        router.get("/api/v1/endpoints/{endpoint}", use: show)
        router.rejectOtherMethods("/api/v1/endpoints", allowed: [.get, .head])
        router.rejectOtherMethods("/api/v1/endpoints/{endpoint}", allowed: [.get, .head])
    }

    /// Endpoints sorted by name, filtered by `online`, `presence`, `name` (contains, any case) and `object`; with
    /// `limit` one page of them and, when more follow, `Link: <…&cursor=…>; rel="next"` (RFC 8288). `X-Total-Count`
    /// is the number of matching endpoints over all pages. Unknown parameters are a 400. The store filters, counts
    /// and pages (in SQL); presence comes from the dispatcher's memory as sets of names.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = try EndpointListQuery(request)
        // The dispatcher's names by presence only when a presence filter needs them (a set of every name).
        let filter = query.filter(presenceNames: query.presence == nil ? nil : dispatcher?.registeredNamesByPresence())
        // One more than the page tells whether another page follows.
        let page = try await repository.endpointPage(filter, after: query.after, limit: query.limit.map { $0 + 1 })
        var items = page.endpoints
        var next: String?
        if let limit = query.limit, items.count > limit {
            items.removeLast(items.count - limit)
            next = items.last.map { "/api/v1/endpoints?" + query.nextQuery(after: $0.name) }
        }
        var response = try EndpointList(items: items.map(dto)).response(from: request, context: context)
        response.headers[.init("X-Total-Count")!] = "\(page.total)"
        if let next { response.headers[.init("Link")!] = "<\(next)>; rel=\"next\"" }
        return response
    }

    private func dto(_ endpoint: StoredEndpoint) -> EndpointDTO {
        var dto = EndpointDTO(endpoint)
        dto.presence = dispatcher?.presence(of: endpoint.name).rawValue
        return dto
    }

    /// One endpoint by name (percent-decoded, NFC), or 404 problem.
    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> EndpointDTO {
        let name = try context.endpointName()
        guard let record = try await repository.endpoint(named: name) else {
            throw Problem.endpointNotFound(name)
        }
        return dto(record)
    }
}

/// A page of endpoints, encoded as the bare JSON array the route has always answered.
struct EndpointList: ResponseEncodable {
    var items: [EndpointDTO]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(items)
    }
}
