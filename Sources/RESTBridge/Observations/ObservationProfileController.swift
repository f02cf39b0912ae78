import Foundation
import Hummingbird
import LwM2M
import ResourceModel

/// Observation profiles (observations made when a matching endpoint registers):
/// `GET/POST /api/v1/observation-profiles`, `DELETE /api/v1/observation-profiles/{name}`.
struct ObservationProfileController {
    /// One profile: `{"name","objectId","endpointPattern","paths","attributes"}` (absent members omitted).
    struct ProfileResponse: ResponseEncodable, Equatable {
        /// The profile name.
        var name: String
        /// The object the endpoint must announce.
        var objectId: UInt16?
        /// The endpoint name glob.
        var endpointPattern: String?
        /// The paths to observe.
        var paths: [String]
        /// The attributes written first.
        var attributes: NotificationAttributes?

        /// The JSON form of `profile`.
        init(_ profile: ObservationProfile) {
            name = profile.name
            objectId = profile.objectID
            endpointPattern = profile.endpointPattern?.text
            paths = profile.paths.map(\.description)
            attributes = profile.attributes
        }
    }

    /// Where profiles are stored.
    let store: any ObservationProfileStore

    /// Registers the routes (and 405 answers for the other methods) on `router`.
    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        router.get("/api/v1/observation-profiles", use: list)
        router.post("/api/v1/observation-profiles", use: save)
        router.delete("/api/v1/observation-profiles/{name}", use: delete)
        router.rejectOtherMethods("/api/v1/observation-profiles", allowed: [.get, .head, .post])
        router.rejectOtherMethods("/api/v1/observation-profiles/{name}", allowed: [.delete])
    }

    /// Every profile, sorted by name.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> [ProfileResponse] {
        try await store.observationProfiles().map(ProfileResponse.init)
    }

    /// `POST` with `{"name","objectId"?,"endpointPattern"?,"paths":[..],"attributes"?}`: 201 when new, 200 when
    /// it replaced the profile of that name.
    @Sendable func save(_ request: Request, context: APIRequestContext) async throws -> Response {
        let members = try BodyFields.members(
            try await request.jsonBody(), known: ["name", "objectId", "endpointPattern", "paths", "attributes"])
        let name = try BodyFields.name(members)
        var objectID: UInt16?
        switch members["objectId"] {
        case nil, .null?: break
        case .integer(let number)?:
            guard let id = UInt16(exactly: number) else { fallthrough }
            objectID = id
        default:
            throw Problem.invalidBody(NodeJSONError(pointer: "/objectId", "expected an object id in 0...65535"))
        }
        let pattern = try BodyFields.string(members, "endpointPattern")
        if let pattern, pattern.isEmpty {
            throw Problem.invalidBody(NodeJSONError(pointer: "/endpointPattern", "expected a non-empty glob like sim-*"))
        }
        let profile = ObservationProfile(
            name: name, objectID: objectID, endpointPattern: pattern.map(GlobPattern.init),
            paths: try BodyFields.paths(members, required: true), attributes: try BodyFields.attributes(members))
        let created = try await store.saveObservationProfile(profile, at: Date())
        var response = try ProfileResponse(profile).response(from: request, context: context)
        response.status = created ? .created : .ok
        return response
    }

    /// `DELETE .../{name}`: 204, or 404 problem.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let raw = try context.parameters.require("name")
        let name = raw.removingPercentEncoding ?? raw
        guard try await store.deleteObservationProfile(named: name) else {
            throw Problem.observationProfileNotFound(name)
        }
        return Response(status: .noContent)
    }
}
