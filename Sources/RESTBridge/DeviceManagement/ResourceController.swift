import Foundation
import Hummingbird
import LwM2M
import ResourceModel

/// The LwM2M device-management operations on one endpoint's resources (LwM2M 1.1 Core §5.4) under
/// `/api/v1/endpoints/{endpoint}/resources/{path}`: Read, Write (replace and partial update), Execute, Create,
/// Delete, Discover and Write-Attributes. Every route takes `?format=` and `?timeout=` (`DeviceRequestOptions`).
struct ResourceController {
    /// Sends the operations and provides the object model.
    let deviceManagement: any DeviceManagement
    /// Where sleeping queue-mode devices' requests are queued instead (`nil`: no queue).
    var dispatcher: OperationDispatcher? = nil
    /// Sends, or queues for a sleeping device.
    private var gateway: DeviceGateway { DeviceGateway(deviceManagement: deviceManagement, dispatcher: dispatcher) }
    /// Where Create looks up the endpoint's announced instances to pick a free id.
    let repository: any EndpointStore

    /// The route prefix; `**` is the LwM2M path (`3/0/7/1`).
    static let base = "/api/v1/endpoints/{endpoint}/resources/**"

    /// Registers the routes (and 405 answers for the other methods) on `router`.
    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        let base = RouterPath(Self.base)
        router.get(base, use: read)
        router.put(base) { request, context in try await write(request, context: context, mode: .replace) }
        router.patch(base) { request, context in try await write(request, context: context, mode: .update) }
        router.post(base, use: create)
        router.delete(base, use: delete)
        router.rejectOtherMethods(base, allowed: [.get, .head, .put, .patch, .post, .delete])
        router.get(RouterPath(Self.base + "/discover"), use: discover)
        router.rejectOtherMethods(RouterPath(Self.base + "/discover"), allowed: [.get, .head])
        router.put(RouterPath(Self.base + "/attributes"), use: writeAttributes)
        router.rejectOtherMethods(RouterPath(Self.base + "/attributes"), allowed: [.put])
        router.post(RouterPath(Self.base + "/execute"), use: execute)
        router.rejectOtherMethods(RouterPath(Self.base + "/execute"), allowed: [.post])
    }

    /// `GET .../resources/{path}`: Read (LwM2M 1.1 Core §5.4.1) → 200 `ReadResponse`.
    @Sendable func read(_ request: Request, context: APIRequestContext) async throws -> ReadResponse {
        let endpoint = try context.endpointName()
        let path = try context.lwm2mPath(depths: 1...4, operation: "Read")
        let options = try DeviceRequestOptions(query: request.uri.queryParameters)
        let answer = try await gateway.send(
            .read(path), to: endpoint, options: options, queueing: request.method != .head)
        guard case .content(let node, let format) = answer else { throw Problem.unexpectedAnswer(answer, to: "Read") }
        return ReadResponse(endpoint: endpoint, path: path.description, format: format.name, content: NodeDTO(node))
    }

    /// `PUT` (replace) or `PATCH` (partial update) `.../resources/{path}`: Write (LwM2M 1.1 Core §5.4.3) of the
    /// node in the body → 204.
    @Sendable func write(_ request: Request, context: APIRequestContext, mode: WriteMode) async throws -> Response {
        let endpoint = try context.endpointName()
        let path = try context.lwm2mPath(depths: 2...4, operation: "Write")
        let options = try DeviceRequestOptions(query: request.uri.queryParameters)
        let node = try decoder.decode(try await request.jsonBody(), at: path)
        let answer = try await gateway.send(.write(path, node, mode: mode), to: endpoint, options: options)
        guard case .changed = answer else { throw Problem.unexpectedAnswer(answer, to: "Write") }
        return Response(status: .noContent)
    }

    /// `POST .../resources/{o}`: Create (LwM2M 1.1 Core §5.4.6) of the instance in the body → 201 with
    /// `Location`. Without an `id`, the lowest id the endpoint did not announce for the object is used.
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws
        -> EditedResponse<CreatedResponse>
    {
        let endpoint = try context.endpointName()
        let path = try context.lwm2mPath(depths: 1...4, operation: "Create")
        guard path.isObject else {
            throw Problem.invalidPath(
                path.description,
                "POST creates an instance and targets an object (/o); execute a resource with POST .../execute")
        }
        let options = try DeviceRequestOptions(query: request.uri.queryParameters)
        let objectID = path.ids[0]
        let body = try await request.jsonBody()
        let instanceID: UInt16
        do {
            if let given = try decoder.instanceID(in: body) {
                instanceID = given
            } else {
                instanceID = try await freeInstanceID(of: objectID, endpoint: endpoint)
            }
        } catch let error as NodeJSONError {
            throw Problem.invalidBody(error)
        }
        let instancePath = try LwM2MPath(objectID: objectID, instanceID: instanceID)
        guard case .objectInstance(let instance) = try decoder.decode(body, at: instancePath) else {
            preconditionFailure("a node at an object-instance path is an object instance")
        }
        let answer = try await gateway.send(
            .create(objectID: objectID, instance: instance), to: endpoint, options: options)
        guard case .created(let location) = answer else { throw Problem.unexpectedAnswer(answer, to: "Create") }
        let created = location.flatMap { $0.isObjectInstance && $0.objectID == objectID ? $0 : nil } ?? instancePath
        return EditedResponse(
            status: .created, headers: [.location: Self.restLocation(endpoint: endpoint, path: created)],
            response: CreatedResponse(path: created.description))
    }

    /// `DELETE .../resources/{o}/{i}`: Delete (LwM2M 1.1 Core §5.4.7) → 204.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let endpoint = try context.endpointName()
        let path = try context.lwm2mPath(depths: 2...2, operation: "Delete")
        let options = try DeviceRequestOptions(query: request.uri.queryParameters)
        let answer = try await gateway.send(.delete(path), to: endpoint, options: options)
        guard case .deleted = answer else { throw Problem.unexpectedAnswer(answer, to: "Delete") }
        return Response(status: .noContent)
    }

    /// `POST .../resources/{o}/{i}/{r}/execute`: Execute (LwM2M 1.1 Core §5.4.5) → 204. Arguments: a text body,
    /// or with `Content-Type: application/json` a body `{"arguments": "0='v',1"}`; none when the body is empty.
    @Sendable func execute(_ request: Request, context: APIRequestContext) async throws -> Response {
        let endpoint = try context.endpointName()
        let path = try context.lwm2mPath(depths: 3...3, operation: "Execute")
        let options = try DeviceRequestOptions(query: request.uri.queryParameters)
        let arguments = try await Self.executeArguments(request)
        let answer = try await gateway.send(.execute(path, arguments: arguments), to: endpoint, options: options)
        guard case .changed = answer else { throw Problem.unexpectedAnswer(answer, to: "Execute") }
        return Response(status: .noContent)
    }

    /// `GET .../resources/{path}/discover`: Discover (LwM2M 1.1 Core §5.4.2) → 200 `DiscoverResponse`.
    @Sendable func discover(_ request: Request, context: APIRequestContext) async throws -> DiscoverResponse {
        let endpoint = try context.endpointName()
        let path = try context.lwm2mPath(depths: 1...3, operation: "Discover")
        let options = try DeviceRequestOptions(query: request.uri.queryParameters)
        let answer = try await gateway.send(
            .discover(path), to: endpoint, options: options, queueing: request.method != .head)
        guard case .links(let links) = answer else { throw Problem.unexpectedAnswer(answer, to: "Discover") }
        return DiscoverResponse(endpoint: endpoint, path: path.description, links: links.map(LinkDTO.init))
    }

    /// `PUT .../resources/{path}/attributes?pmin=..`: Write-Attributes (LwM2M 1.1 Core §5.4.4) → 204; an empty
    /// value (`?pmin=` or `?pmin`) removes the attribute.
    @Sendable func writeAttributes(_ request: Request, context: APIRequestContext) async throws -> Response {
        let endpoint = try context.endpointName()
        let path = try context.lwm2mPath(depths: 1...4, operation: "Write-Attributes")
        let query = request.uri.queryParameters
        let options = try DeviceRequestOptions(query: query)
        let attributes = try NotificationAttributes(query: query)
        let answer = try await gateway.send(
            .writeAttributes(path, attributes), to: endpoint, options: options)
        guard case .changed = answer else { throw Problem.unexpectedAnswer(answer, to: "Write-Attributes") }
        return Response(status: .noContent)
    }

    // MARK: - Helpers

    /// The node decoder over the current object model.
    private var decoder: NodeJSONDecoder { NodeJSONDecoder(model: deviceManagement.objectModel) }

    /// The lowest instance id of `objectID` that `endpoint` did not announce in its registration.
    private func freeInstanceID(of objectID: UInt16, endpoint: String) async throws -> UInt16 {
        guard let record = try await repository.endpoint(named: endpoint) else {
            throw Problem.endpointNotFound(endpoint)
        }
        let taken = Set(record.objectLinks.filter { $0.objectID == objectID }.compactMap(\.instanceID))
        guard let free = (0..<LwM2MPath.maxID).first(where: { !taken.contains($0) }) else {
            throw Problem.invalidBody(NodeJSONError(pointer: "/id", "object \(objectID) has no free instance id"))
        }
        return free
    }

    /// The Execute arguments of `request`'s body.
    static func executeArguments(_ request: Request) async throws -> String? {
        let isJSON = request.headers[.contentType].map { $0.lowercased().hasPrefix("application/json") } ?? false
        if isJSON {
            let members: [String: RequestJSON]
            do {
                members = try NodeJSONDecoder.members(
                    of: try await request.jsonBody(), pointer: "", what: "{\"arguments\": \"...\"}")
                for name in members.keys.sorted() where name != "arguments" {
                    throw NodeJSONError(pointer: NodeJSONError.pointer("", name), "unknown member '\(name)'")
                }
            } catch let error as NodeJSONError {
                throw Problem.invalidBody(error)
            }
            switch members["arguments"] {
            case nil, .null: return nil
            case .string(let text): return try checkedArguments(text, pointer: "/arguments")
            case let other?:
                throw Problem.invalidBody(
                    NodeJSONError(pointer: "/arguments", "expected a string, got \(other.typeDescription)"))
            }
        }
        let buffer = try await request.body.collect(upTo: Request.maxBodySize)
        guard buffer.readableBytes > 0 else { return nil }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw Problem.invalidBody(NodeJSONError(pointer: "", "the arguments are not UTF-8 text"))
        }
        return try checkedArguments(text, pointer: "")
    }

    /// `text` when it follows the Execute argument grammar (`nil` when empty), else a 400 at `pointer`.
    static func checkedArguments(_ text: String, pointer: String) throws(Problem) -> String? {
        guard !text.isEmpty else { return nil }
        guard ExecuteArguments.areValid(text) else {
            throw Problem.invalidBody(NodeJSONError(
                pointer: pointer,
                "'\(text.prefix(64))' is not an Execute argument list (LwM2M Core §5.4.5): digits 0-9, each optionally ='value', comma-separated, e.g. 0='http://x',1"))
        }
        return text
    }

    /// `/api/v1/endpoints/<endpoint, percent-encoded>/resources/o/i`: the REST path of a node.
    static func restLocation(endpoint: String, path: LwM2MPath) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        let name = endpoint.addingPercentEncoding(withAllowedCharacters: allowed) ?? endpoint
        return "/api/v1/endpoints/\(name)/resources" + path.description
    }
}
