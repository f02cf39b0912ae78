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

    /// All endpoints sorted by name; `?online=true|false` filters.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> [EndpointDTO] {
        let online = try Self.online(in: request)
        return try await repository.endpoints(online: online, namePrefix: nil, limit: nil, offset: 0).map(dto)
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

    /// The `online` query parameter: `nil` when absent, 400 problem unless `true` or `false`.
    static func online(in request: Request) throws -> Bool? {
        guard let value = request.uri.queryParameters.get("online") else { return nil }
        switch value {
        case "true": return true
        case "false": return false
        default: throw Problem.invalidQueryParameter("online", value: value, expected: "'true' or 'false'")
        }
    }
}
