import CoAP
import Foundation

extension ClientObjectTree {
    /// Answers one request of the Device Management and Service Enablement interface (LwM2M 1.1 Core §6.3,
    /// Transport §6.4); see `process(_:now:)`.
    public mutating func handle(_ request: CoAPRequest, now: Date) -> CoAPResponse {
        process(request, now: now).response
    }

    /// Maps a CoAP request to its LwM2M operation (LwM2M 1.1 Transport §6.4), performs it and answers it:
    ///
    /// - GET: Read, or Discover with Accept 40; FETCH `/`: Read-Composite;
    /// - PUT: Write (replace), or Write-Attributes with Uri-Query and no payload;
    /// - POST `/o`: Create; POST `/o/i`: Write (partial update); POST `/o/i/r`: Execute on an executable resource,
    ///   else Write (partial update) when a payload is given;
    /// - DELETE `/o/i`: Delete; iPATCH `/`: Write-Composite.
    ///
    /// Failures answer 4.xx with a short diagnostic payload and leave the tree unchanged; no input traps. The Observe
    /// option is ignored here: `process(_:session:token:now:)` keeps observers.
    public mutating func process(_ request: CoAPRequest, now: Date) -> ClientRequestOutcome {
        var scratch = self
        do throws(ClientRequestFailure) {
            let outcome = try scratch.perform(request, now: now)
            self = scratch
            return outcome
        } catch {
            return ClientRequestOutcome(response: .error(error.code, error.message))
        }
    }

    private mutating func perform(_ request: CoAPRequest, now: Date) throws(ClientRequestFailure)
        -> ClientRequestOutcome
    {
        let path = try Self.path(of: request.uriPath)
        if let objectID = path.objectID, Self.bootstrapOnlyObjects.contains(objectID) {
            throw .unauthorized(path)
        }
        switch request.method {
        case .get:
            if request.accept == ContentFormat.linkFormat.rawValue { return try discover(path) }
            return try read(path, accept: request.accept)
        case .put:
            if !request.uriQuery.isEmpty {
                guard request.payload.isEmpty else {
                    throw .badRequest("Write-Attributes carries its attributes in Uri-Query and no payload")
                }
                return try writeAttributes(path, query: request.uriQuery)
            }
            return try write(path, request: request, mode: .replace)
        case .post:
            switch path.depth {
            case 1:
                return try create(objectID: path.ids[0], request: request)
            case 2:
                return try write(path, request: request, mode: .update)
            case 3:
                _ = try existingInstance(path)
                guard model.resource(path.ids[0], path.ids[2]) != nil else { throw .notFound(path) }
                if isExecutable(path) { return try execute(path, payload: request.payload, now: now) }
                guard !request.payload.isEmpty else {
                    throw .notAllowed("\(path) is not executable")
                }
                return try write(path, request: request, mode: .update)
            default:
                throw .notAllowed("POST is not allowed on \(path)")
            }
        case .delete:
            return try delete(path)
        case .fetch:
            guard path.isRoot else { throw .notAllowed("FETCH (Read-Composite) applies to / only") }
            return try readComposite(request)
        case .iPatch:
            guard path.isRoot else { throw .notAllowed("iPATCH (Write-Composite) applies to / only") }
            return try writeComposite(request)
        case .patch:
            throw .notAllowed("PATCH is not an LwM2M operation")
        }
    }

    /// The LwM2M path of the Uri-Path segments; anything else is 4.04.
    static func path(of segments: [String]) throws(ClientRequestFailure) -> LwM2MPath {
        let segments = segments == [""] ? [] : segments
        var ids: [UInt16] = []
        for segment in segments {
            guard segment.utf8.count <= 5, !segment.isEmpty, segment.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                segment == "0" || !segment.hasPrefix("0"), let id = UInt16(segment)
            else {
                throw ClientRequestFailure(.notFound, "/\(segments.joined(separator: "/").prefix(64)) is not an LwM2M path")
            }
            ids.append(id)
        }
        do {
            return try LwM2MPath(ids: ids)
        } catch {
            throw ClientRequestFailure(.notFound, error.message)
        }
    }

    /// The request's Content-Format: 4.00 when missing, 4.15 when no codec reads it.
    func payloadFormat(of request: CoAPRequest) throws(ClientRequestFailure) -> ContentFormat {
        guard let raw = request.contentFormat else { throw .badRequest("the payload has no Content-Format") }
        let format = ContentFormat(rawValue: raw)
        guard codecs.codec(for: format) != nil else {
            throw ClientRequestFailure(.unsupportedContentFormat, "\(format) is not supported")
        }
        return format
    }

    /// Whether `/o/i/r` is declared executable in the model.
    func isExecutable(_ path: LwM2MPath) -> Bool {
        guard path.isResource, let definition = model.resource(path.ids[0], path.ids[2]) else { return false }
        return definition.type == .none || definition.operations.contains(.execute)
    }

    /// The stored instance at `/o/i...`, or 4.04.
    func existingInstance(_ path: LwM2MPath) throws(ClientRequestFailure) -> Instance {
        guard path.depth >= 2, let instance = objects[path.ids[0]]?[path.ids[1]] else {
            throw .notFound(path.depth >= 2 ? LwM2MPath(validated: Array(path.ids.prefix(2))) : path)
        }
        return instance
    }

    /// Throws 4.04 unless `path` exists: the object is supported, the instance exists, the resource has a value or
    /// is a supported executable, the resource instance exists.
    func requireExisting(_ path: LwM2MPath) throws(ClientRequestFailure) {
        guard let objectID = path.objectID else { return }
        guard objects[objectID] != nil else { throw .notFound(path) }
        guard path.depth >= 2 else { return }
        let instance = try existingInstance(path)
        guard path.depth >= 3 else { return }
        let resourceID = path.ids[2]
        if path.depth == 3, instance.executables.contains(resourceID) { return }
        guard let resource = instance.resources[resourceID] else { throw .notFound(path) }
        if path.depth == 4, resource.instances?[path.ids[3]] == nil { throw .notFound(path) }
    }
}
