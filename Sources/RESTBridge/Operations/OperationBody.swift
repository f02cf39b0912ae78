import Foundation
import LwM2M
import ResourceModel

/// The operation members of a queueing body (`POST /api/v1/endpoints/{ep}/operations` and the bulk
/// `POST /api/v1/operations`), checked against the object model before anything is queued:
///
/// `{"kind":"write","path":"/1/0/1","value":<node or scalar>,"priority":5,"expiresIn":3600,"maxAttempts":3}`
///
/// - `kind`: read, discover, write, partial-write, execute, create, delete, write-attributes, observe,
///   cancel-observe, composite-read, composite-write.
/// - `path` (one path) or `paths` (observe, cancel-observe, composite-read); `values` maps paths to nodes for
///   composite-write; `value` is the node of write, partial-write and create (a JSON node as the Write routes
///   take it; a bare scalar means `{"value": scalar}`); `arguments` (execute, text); `attributes` (write-attributes,
///   required; observe, optional); `composite` (observe).
/// - `priority` (integer, higher first, default 0), `expiresIn` (seconds), `notBefore` (RFC 3339 instant),
///   `maxAttempts` (1...20, default 3), `allowRetries` (Execute and Create only: allow sending again after a
///   send that may have arrived; default false).
struct OperationBody {
    /// The members an operation body may have.
    static let operationMembers: Set<String> = [
        "kind", "path", "paths", "value", "values", "arguments", "attributes", "composite", "priority", "expiresIn",
        "notBefore", "maxAttempts", "allowRetries",
    ]

    /// The operation to queue.
    var operation: NewOperation

    /// Parses and checks `members`; 400 `invalid-body` with a pointer on the first problem.
    init(_ members: [String: RequestJSON], model: ObjectModelRegistry, now: Date) throws(Problem) {
        guard let kindName = try BodyFields.string(members, "kind") else {
            throw Self.invalid("/kind", "missing; expected one of \(Self.kindNames)")
        }
        guard let kind = OperationKind(rawValue: kindName) else {
            throw Self.invalid("/kind", "unknown kind '\(kindName)'; expected one of \(Self.kindNames)")
        }
        let request = try Self.request(kind, members, model: model)
        let maxAttempts = try Self.integer(members, "maxAttempts", in: 1...20) ?? 3
        let priority = try Self.integer(members, "priority", in: -1_000_000...1_000_000) ?? 0
        var expiresAt: Date?
        if let seconds = try Self.number(members, "expiresIn") {
            guard seconds > 0, seconds <= 366 * 86_400 else {
                throw Self.invalid("/expiresIn", "expected seconds in (0, 31622400]")
            }
            expiresAt = now.addingTimeInterval(seconds)
        }
        var notBefore: Date?
        if let text = try BodyFields.string(members, "notBefore") {
            guard let instant = try? Date(text, strategy: .iso8601) else {
                throw Self.invalid("/notBefore", "'\(text)' is not an RFC 3339 instant like 2026-11-23T10:00:00Z")
            }
            notBefore = instant
        }
        if let notBefore, let expiresAt, notBefore >= expiresAt {
            throw Self.invalid("/notBefore", "the operation would expire before it may be sent")
        }
        let allowRetries = try BodyFields.bool(members, "allowRetries") ?? false
        operation = NewOperation(
            request: request, priority: priority, notBefore: notBefore, expiresAt: expiresAt,
            maxAttempts: maxAttempts, allowRetries: allowRetries)
    }

    private static var kindNames: String {
        OperationKind.allCases.filter { $0 != .blockWrite }.map(\.rawValue).joined(separator: ", ")
    }

    /// The request of `kind` from the members, with every member that does not belong to it refused.
    private static func request(_ kind: OperationKind, _ members: [String: RequestJSON], model: ObjectModelRegistry)
        throws(Problem) -> OperationRequest
    {
        let decoder = NodeJSONDecoder(model: model)
        var allowed: Set<String> = []
        let request: OperationRequest
        switch kind {
        case .read:
            allowed = ["path"]
            request = .device(.read(try path(members, depths: 1...4, kind)))
        case .discover:
            allowed = ["path"]
            request = .device(.discover(try path(members, depths: 1...3, kind)))
        case .delete:
            allowed = ["path"]
            request = .device(.delete(try path(members, depths: 2...2, kind)))
        case .write, .partialWrite:
            allowed = ["path", "value"]
            let target = try path(members, depths: 2...4, kind)
            request = .device(.write(target, try node(members["value"], at: target, decoder: decoder),
                                     mode: kind == .write ? .replace : .update))
        case .create:
            allowed = ["path", "value"]
            let target = try path(members, depths: 1...1, kind)
            guard case .object(let given)? = members["value"] else {
                throw invalid("/value", "expected the new object instance, with its id: {\"id\": 1, \"resources\": [...]}")
            }
            let instanceID: UInt16
            do throws(NodeJSONError) {
                guard let id = try decoder.instanceID(in: .object(given)) else {
                    throw NodeJSONError(pointer: "/id", "a queued Create needs the new instance's id")
                }
                instanceID = id
            } catch {
                throw Problem.invalidBody(NodeJSONError(pointer: "/value" + error.pointer, error.message))
            }
            let instancePath = try! LwM2MPath(objectID: target.ids[0], instanceID: instanceID)
            guard case .objectInstance(let instance) = try node(members["value"], at: instancePath, decoder: decoder) else {
                throw invalid("/value", "expected an object instance")
            }
            request = .device(.create(objectID: target.ids[0], instance: instance))
        case .execute:
            allowed = ["path", "arguments"]
            let target = try path(members, depths: 3...3, kind)
            let arguments = try BodyFields.string(members, "arguments").flatMap { text throws(Problem) in
                try ResourceController.checkedArguments(text, pointer: "/arguments")
            }
            request = .device(.execute(target, arguments: arguments))
        case .writeAttributes:
            allowed = ["path", "attributes"]
            let target = try path(members, depths: 1...4, kind)
            guard let attributes = try BodyFields.attributes(members) else {
                throw invalid("/attributes", "missing; expected {\"pmin\": 10, ...}")
            }
            request = .device(.writeAttributes(target, attributes))
        case .compositeRead:
            allowed = ["path", "paths"]
            request = .device(.readComposite(try paths(members, kind)))
        case .compositeWrite:
            allowed = ["values"]
            guard let values = members["values"] else {
                throw invalid("/values", "missing; expected an object mapping paths to nodes")
            }
            do throws(NodeJSONError) {
                request = .device(.writeComposite(try CompositeController.nodes(in: values, model: model, pointer: "/values")))
            } catch {
                throw Problem.invalidBody(error)
            }
        case .observe:
            allowed = ["path", "paths", "attributes", "composite"]
            let targets = try paths(members, kind)
            let composite = try BodyFields.bool(members, "composite") ?? false
            request = .observe(paths: targets, attributes: try BodyFields.attributes(members), composite: composite)
        case .cancelObserve:
            allowed = ["path", "paths"]
            request = .cancelObserve(paths: try paths(members, kind))
        case .blockWrite:
            // The bytes are the server's own (a firmware package): pushes are made by firmware updates.
            throw invalid("/kind", "block-write operations are made by firmware updates, not over the REST API")
        }
        let common: Set<String> = ["kind", "priority", "expiresIn", "notBefore", "maxAttempts", "allowRetries"]
        for name in members.keys.sorted() where operationMembers.contains(name) && !allowed.contains(name)
            && !common.contains(name)
        {
            throw invalid("/\(name)", "not a member of a \(kind.rawValue) operation")
        }
        return request
    }

    /// `path`, of one of `depths`.
    private static func path(_ members: [String: RequestJSON], depths: ClosedRange<Int>, _ kind: OperationKind)
        throws(Problem) -> LwM2MPath
    {
        guard let text = try BodyFields.string(members, "path") else {
            throw invalid("/path", "missing; a \(kind.rawValue) operation targets one path")
        }
        guard let path = LwM2MPath.fromAPI(text), depths.contains(path.depth) else {
            throw invalid("/path", "'\(text)' is not a path a \(kind.rawValue) can target (depth \(depths.lowerBound)...\(depths.upperBound), like /3/0/1)")
        }
        return path
    }

    /// `paths`, or `path` as a one-element list.
    private static func paths(_ members: [String: RequestJSON], _ kind: OperationKind) throws(Problem) -> [LwM2MPath] {
        if members["paths"] != nil, members["path"] != nil {
            throw invalid("/path", "give either path or paths")
        }
        if members["path"] != nil { return [try path(members, depths: 1...4, kind)] }
        return try BodyFields.paths(members, required: true)
    }

    /// The node in `value` at `path` (a scalar stands for `{"value": scalar}`).
    private static func node(_ json: RequestJSON?, at path: LwM2MPath, decoder: NodeJSONDecoder) throws(Problem)
        -> LwM2MNode
    {
        guard let json, json != .null else { throw invalid("/value", "missing; expected the node to write") }
        guard case .object = json else {
            // The scalar shorthand: its problems are reported at /value itself.
            do {
                return try decoder.node(.object(["value": json]), at: path, pointer: "")
            } catch {
                throw Problem.invalidBody(NodeJSONError(pointer: "/value", error.message))
            }
        }
        do {
            return try decoder.node(json, at: path, pointer: "/value")
        } catch {
            throw Problem.invalidBody(error)
        }
    }

    private static func integer(_ members: [String: RequestJSON], _ key: String, in range: ClosedRange<Int>)
        throws(Problem) -> Int?
    {
        switch members[key] {
        case nil, .null?: return nil
        case .integer(let number)? where range.contains(Int(number)): return Int(number)
        default: throw invalid("/\(key)", "expected an integer in \(range.lowerBound)...\(range.upperBound)")
        }
    }

    private static func number(_ members: [String: RequestJSON], _ key: String) throws(Problem) -> Double? {
        switch members[key] {
        case nil, .null?: return nil
        case .integer(let number)?: return Double(number)
        case .unsignedInteger(let number)?: return Double(number)
        case .float(let number)? where number.isFinite: return number
        case let other?: throw invalid("/\(key)", "expected a number of seconds, got \(other.typeDescription)")
        }
    }

    static func invalid(_ pointer: String, _ reason: String) -> Problem {
        Problem.invalidBody(NodeJSONError(pointer: pointer, reason))
    }
}
