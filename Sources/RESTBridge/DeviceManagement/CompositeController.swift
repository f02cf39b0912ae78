import Hummingbird
import LwM2M
import ResourceModel

/// Read-Composite and Write-Composite (LwM2M 1.1 Core §5.4.8, §5.4.9) on one endpoint:
/// `GET /api/v1/endpoints/{endpoint}/composite?paths=/3/0/0,/3/0/9` and `PUT` with a body of nodes by path.
struct CompositeController {
    /// The answer to a Read-Composite: `{"endpoint":..,"format":..,"content":{"/3/0/0":{...},"/3/0/9":{...}}}`.
    struct ReadResponse: ResponseEncodable, Equatable {
        /// The endpoint name.
        var endpoint: String
        /// The media type the device answered in.
        var format: String
        /// The nodes read, by path.
        var content: [String: NodeDTO]
    }

    /// Sends the operations and provides the object model.
    let deviceManagement: any DeviceManagement
    /// Where sleeping queue-mode devices' requests are queued instead (`nil`: no queue).
    var dispatcher: OperationDispatcher? = nil
    /// Sends, or queues for a sleeping device.
    private var gateway: DeviceGateway { DeviceGateway(deviceManagement: deviceManagement, dispatcher: dispatcher) }

    /// The route.
    static let path = "/api/v1/endpoints/{endpoint}/composite"

    /// Registers the routes (and 405 answers for the other methods) on `router`.
    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        router.get(RouterPath(Self.path), use: read)
        router.put(RouterPath(Self.path), use: write)
        router.rejectOtherMethods(RouterPath(Self.path), allowed: [.get, .head, .put])
    }

    /// `GET .../composite?paths=/3/0/0,/3/0/9`: Read-Composite → 200 `ReadResponse`.
    @Sendable func read(_ request: Request, context: APIRequestContext) async throws -> ReadResponse {
        let endpoint = try context.endpointName()
        let query = request.uri.queryParameters
        let options = try DeviceRequestOptions(query: query)
        let paths = try Self.paths(query["paths"].map(String.init))
        let answer = try await gateway.send(
            .readComposite(paths), to: endpoint, options: options, queueing: request.method != .head)
        guard case .compositeContent(let nodes, let format) = answer else {
            throw Problem.unexpectedAnswer(answer, to: "Read-Composite")
        }
        return ReadResponse(
            endpoint: endpoint, format: format.name,
            content: Dictionary(uniqueKeysWithValues: nodes.map { ($0.key.description, NodeDTO($0.value)) }))
    }

    /// `PUT .../composite` with `{"/3/0/14": <node or {"value":..}>, ...}`: Write-Composite → 204.
    @Sendable func write(_ request: Request, context: APIRequestContext) async throws -> Response {
        let endpoint = try context.endpointName()
        let options = try DeviceRequestOptions(query: request.uri.queryParameters)
        let nodes = try Self.nodes(in: try await request.jsonBody(), model: deviceManagement.objectModel)
        let answer = try await gateway.send(.writeComposite(nodes), to: endpoint, options: options)
        guard case .changed = answer else { throw Problem.unexpectedAnswer(answer, to: "Write-Composite") }
        return Response(status: .noContent)
    }

    /// The `paths` parameter: comma-separated LwM2M paths of depth 1 to 4, at least one, none twice.
    static func paths(_ value: String?) throws(Problem) -> [LwM2MPath] {
        let expected = "comma-separated LwM2M paths like /3/0/0,/3/0/9"
        guard let value, !value.isEmpty else {
            throw Problem.invalidQueryParameter("paths", value: value ?? "", expected: expected)
        }
        var paths: [LwM2MPath] = []
        for text in value.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard let path = LwM2MPath.fromAPI(text), !path.isRoot else {
                throw Problem.invalidQueryParameter("paths", value: value, expected: "\(expected); '\(text)' is not one")
            }
            guard !paths.contains(path) else {
                throw Problem.invalidQueryParameter("paths", value: value, expected: "\(expected); '\(text)' repeats")
            }
            paths.append(path)
        }
        return paths
    }

    /// The nodes of a Write-Composite body: an object whose members are paths (depth 2 to 4) and nodes.
    static func nodes(in body: RequestJSON, model: ObjectModelRegistry) throws(Problem) -> [LwM2MPath: LwM2MNode] {
        do throws(NodeJSONError) {
            return try nodes(in: body, model: model, pointer: "")
        } catch {
            throw Problem.invalidBody(error)
        }
    }

    /// `nodes(in:model:)` for a body that sits at `pointer` inside a larger document (a queued operation's
    /// `values`), failing with the pointer into that document.
    static func nodes(in body: RequestJSON, model: ObjectModelRegistry, pointer base: String) throws(NodeJSONError)
        -> [LwM2MPath: LwM2MNode]
    {
        let decoder = NodeJSONDecoder(model: model)
        let members = try NodeJSONDecoder.members(of: body, pointer: base, what: "nodes by LwM2M path")
        guard !members.isEmpty else { throw NodeJSONError(pointer: base, "no node to write") }
        var nodes: [LwM2MPath: LwM2MNode] = [:]
        for key in members.keys.sorted() {
            let pointer = NodeJSONError.pointer(base, key)
            guard let path = LwM2MPath.fromAPI(key), (2...4).contains(path.depth) else {
                throw NodeJSONError(
                    pointer: pointer, "'\(key)' is not the path of an object instance, resource or resource instance")
            }
            // Keys are canonical (leading slash, no leading zeros): two members never name one path.
            nodes[path] = try decoder.node(members[key]!, at: path, pointer: pointer)
        }
        return nodes
    }
}
