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
    /// is the number of matching endpoints over all pages. Unknown parameters are a 400.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = try EndpointListQuery(request)
        let stored = try await repository.endpoints(online: query.online, namePrefix: nil, limit: nil, offset: 0)
        var matching: [EndpointDTO] = []
        for endpoint in stored {
            let presence = dispatcher?.presence(of: endpoint.name)
            guard query.matches(endpoint, presence: presence) else { continue }
            var item = EndpointDTO(endpoint)
            item.presence = presence?.rawValue
            matching.append(item)
        }
        var page = matching[...]
        if let after = query.after { page = page.drop { $0.endpoint <= after } }
        var next: String?
        if let limit = query.limit, page.count > limit {
            page = page.prefix(limit)
            next = page.last.map { "/api/v1/endpoints?" + query.nextQuery(after: $0.endpoint) }
        }
        var response = try EndpointList(items: Array(page)).response(from: request, context: context)
        response.headers[.init("X-Total-Count")!] = "\(matching.count)"
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
