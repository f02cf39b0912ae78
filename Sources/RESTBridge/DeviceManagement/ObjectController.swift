import Hummingbird
import LwM2M

/// `GET /api/v1/objects` and `GET /api/v1/objects/{id}`: the object model the server types values with (the
/// newest version of every object).
struct ObjectController {
    /// Provides the object model.
    let deviceManagement: any DeviceManagement

    /// Registers the routes (and 405 answers for the other methods) on `router`.
    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        router.get("/api/v1/objects", use: list)
        router.get("/api/v1/objects/{id}", use: show)
        router.rejectOtherMethods("/api/v1/objects", allowed: [.get, .head])
        router.rejectOtherMethods("/api/v1/objects/{id}", allowed: [.get, .head])
    }

    /// Every object, sorted by id.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> [ObjectSummaryDTO] {
        let model = deviceManagement.objectModel
        return model.objectIDs.compactMap { model.object($0) }.map(ObjectSummaryDTO.init)
    }

    /// One object with its resources; 404 problem when the model does not know it.
    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> ObjectDTO {
        let raw = try context.parameters.require("id")
        guard let id = NodeJSONDecoder.decimalID(raw), let object = deviceManagement.objectModel.object(id) else {
            throw Problem.objectNotFound(raw)
        }
        return ObjectDTO(object)
    }
}
