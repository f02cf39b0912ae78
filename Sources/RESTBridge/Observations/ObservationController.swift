import Foundation
import Hummingbird
import LwM2M
import ResourceModel

/// Observations of one endpoint (LwM2M 1.1 Core §6.4.1–§6.4.3):
/// `GET`, `POST`, `DELETE /api/v1/endpoints/{endpoint}/observations`, carried out by `ObservationManagement`.
struct ObservationController {
    /// One observation: `{"id","endpoint","registrationId","paths","composite","format","token","attributes","createdAt",
    /// "status","lastNotificationAt","staleSince","staleReason"}`.
    struct ObservationResponse: ResponseEncodable, Equatable {
        /// The observation id.
        var id: String
        /// The endpoint name.
        var endpoint: String
        /// The registration it was made under.
        var registrationId: String
        /// The observed paths.
        var paths: [String]
        /// Whether it is a composite observation.
        var composite: Bool
        /// The content format asked for (media type).
        var format: String
        /// The CoAP token, lowercase hex.
        var token: String
        /// The attributes written before observing.
        var attributes: NotificationAttributes?
        /// When it was established.
        var createdAt: Date
        /// `active`, or `stale` (silent for several `pmax`, or the client stopped answering): it is re-established
        /// at the client's next Register or Update.
        var status: ObservationHealth.Status
        /// When the last notification arrived (absent: none since it was made or the server restarted).
        var lastNotificationAt: Date?
        /// When it was marked stale.
        var staleSince: Date?
        /// Why it was marked stale.
        var staleReason: String?

        /// The JSON form of `observation` with its health (active when unknown).
        init(_ observation: Observation, health: ObservationHealth? = nil) {
            status = health?.status ?? .active
            lastNotificationAt = health?.lastNotificationAt
            staleSince = health?.staleSince
            staleReason = health?.staleReason
            id = observation.id
            endpoint = observation.endpoint
            registrationId = observation.registrationID
            paths = observation.paths.map(\.description)
            composite = observation.composite
            format = observation.format.name
            token = observation.token.map { String(format: "%02x", $0) }.joined()
            attributes = observation.attributes
            createdAt = observation.createdAt
        }
    }

    /// Carries out the observations; `nil` answers 503.
    let observations: (any ObservationManagement)?
    /// Where a sleeping queue-mode device's observe and cancel are queued instead (`nil`: no queue).
    var dispatcher: OperationDispatcher? = nil

    /// The route.
    static let path = "/api/v1/endpoints/{endpoint}/observations"

    /// Registers the routes (and 405 answers for the other methods) on `router`.
    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        router.get(RouterPath(Self.path), use: list)
        router.post(RouterPath(Self.path), use: observe)
        router.delete(RouterPath(Self.path), use: cancel)
        router.rejectOtherMethods(RouterPath(Self.path), allowed: [.get, .head, .post, .delete])
    }

    /// The active observations of the endpoint.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> [ObservationResponse] {
        let endpoint = try context.endpointName()
        let management = try management()
        let health = await management.observationHealth(endpoint: endpoint)
        return await management.observations(endpoint: endpoint).map { ObservationResponse($0, health: health[$0.id]) }
    }

    /// `POST` with `{"paths":[..],"composite":false,"attributes":{"pmin":1}}` (`?format=`, `?timeout=` as the
    /// device-management routes): 201 with the observations made.
    @Sendable func observe(_ request: Request, context: APIRequestContext) async throws -> Response {
        let endpoint = try context.endpointName()
        let options = try DeviceRequestOptions(query: request.uri.queryParameters)
        let members = try BodyFields.members(try await request.jsonBody(), known: ["paths", "composite", "attributes"])
        let paths = try BodyFields.paths(members, required: true)
        let composite = try BodyFields.bool(members, "composite") ?? false
        let attributes = try BodyFields.attributes(members)
        let management = try management()
        try await DeviceGateway.queueIfAsleep(
            .observe(paths: paths, attributes: attributes, composite: composite), endpoint: endpoint, options: options,
            dispatcher: dispatcher)
        let made: [Observation]
        do {
            made = try await management.observe(
                endpoint: endpoint, paths: paths, composite: composite, attributes: attributes, format: options.format,
                timeout: options.timeout)
        } catch {
            throw Problem(error, endpoint: endpoint)
        }
        var response = try made.map { ObservationResponse($0) }.response(from: request, context: context)
        response.status = .created
        return response
    }

    /// `DELETE` with `{"paths":[..]}` or `?paths=/a,/b` (neither or empty: all; both: 400): 200 with the cancelled
    /// ones.
    @Sendable func cancel(_ request: Request, context: APIRequestContext) async throws -> [ObservationResponse] {
        let endpoint = try context.endpointName()
        let query = request.uri.queryParameters
        let options = try DeviceRequestOptions(query: query)
        var paths: [LwM2MPath] = []
        // The body is read (and checked) whenever there is one: paths in both places are a 400, not a silent choice.
        let buffer = try await request.body.collect(upTo: Request.maxBodySize)
        if buffer.readableBytes > 0 {
            let body: RequestJSON
            do {
                body = try RequestJSON.parse(buffer.readableBytesView)
            } catch {
                throw Problem.invalidBody(error)
            }
            paths = try BodyFields.paths(try BodyFields.members(body, known: ["paths"]), required: false)
        }
        if let list = query["paths"].map(String.init), !list.isEmpty {
            guard buffer.readableBytes == 0 else {
                throw Problem.invalidQueryParameter(
                    "paths", value: list, expected: "the paths in the query or in the body, not in both")
            }
            paths = try CompositeController.paths(list)
        }
        let management = try management()
        if dispatcher?.presence(of: endpoint) == .sleeping {
            // For a sleeping device, "all" means the paths observed now.
            let targets = paths.isEmpty
                ? await management.observations(endpoint: endpoint).flatMap(\.paths).reduce(into: [LwM2MPath]()) {
                    if !$0.contains($1) { $0.append($1) }
                }
                : paths
            if !targets.isEmpty {
                try await DeviceGateway.queueIfAsleep(
                    .cancelObserve(paths: targets), endpoint: endpoint, options: options, dispatcher: dispatcher)
            }
        }
        do {
            return try await management.cancelObservations(endpoint: endpoint, paths: paths, timeout: options.timeout)
                .map { ObservationResponse($0) }
        } catch {
            throw Problem(error, endpoint: endpoint)
        }
    }

    /// The management, or 503.
    private func management() throws(Problem) -> any ObservationManagement {
        guard let observations else { throw Problem.unavailable("Observation management") }
        return observations
    }
}
