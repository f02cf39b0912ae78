import LwM2M

/// Turns a JSON node body (the shapes of `NodeDTO`) into an `LwM2MNode`, typing every resource by the object
/// model; a pure value type with no I/O.
///
/// Rules:
/// - `kind` may be omitted: it follows from the path depth, and at resource depth from `value` (single) or
///   `values` (multiple); when given it must fit the path. So `{"value": 42}` is a complete single resource.
/// - The top-level `id` may be omitted (it is the path's last id); when given it must equal it. Nested
///   resources and instances need their `id`.
/// - The object model decides every resource's type and multiplicity: `type` may be omitted, and when given
///   must agree; a resource the model does not know needs `type`. Executable resources carry no value.
/// - Unknown members, wrong JSON types and out-of-range numbers are rejected; every error carries the
///   JSON pointer of the member concerned.
struct NodeJSONDecoder: Sendable {
    /// Where resource types come from.
    let model: any ObjectModelProvider

    /// The node `json` describes at `path` (depth 1 to 4); `pointer` locates `json` in the whole body.
    func node(_ json: RequestJSON, at path: LwM2MPath, pointer: String = "") throws(NodeJSONError) -> LwM2MNode {
        guard let lastID = path.ids.last else {
            throw NodeJSONError(pointer: pointer, "the root path / cannot hold a node")
        }
        let members = try Self.members(of: json, pointer: pointer, what: "a node")
        let kind = try Self.kind(of: members, at: path, pointer: pointer)
        try Self.checkMembers(members, kind: kind, pointer: pointer)
        if let id = try Self.id(in: members, pointer: pointer), id != lastID {
            throw NodeJSONError(
                pointer: NodeJSONError.pointer(pointer, "id"), "id \(id) does not match the path \(path)")
        }
        switch kind {
        case .object:
            return .object(try object(members, at: path, pointer: pointer))
        case .instance:
            return .objectInstance(try instance(members, at: path, pointer: pointer))
        case .singleResource, .multiResource:
            return .resource(try resource(members, kind: kind, at: path, pointer: pointer))
        case .resourceInstance:
            let type = try dataType(members, kind: kind, at: path, pointer: pointer)
            let value = try value(members["value"], type: type, at: path, pointer: NodeJSONError.pointer(pointer, "value"))
            return .resourceInstance(LwM2MResourceInstance(id: lastID, value: value))
        }
    }

    /// The `id` of an object-instance body, `nil` when it has none (Create then picks one).
    func instanceID(in json: RequestJSON) throws(NodeJSONError) -> UInt16? {
        let members = try Self.members(of: json, pointer: "", what: "an object instance")
        guard let id = try Self.id(in: members, pointer: "") else { return nil }
        guard id != LwM2MPath.maxID else {
            throw NodeJSONError(pointer: "/id", "instance id 65535 is reserved (MAX_ID)")
        }
        return id
    }

    // MARK: - Levels

    /// The instances of an object body: every element needs its `id`.
    private func object(_ members: [String: RequestJSON], at path: LwM2MPath, pointer: String)
        throws(NodeJSONError) -> LwM2MObject
    {
        var instances: [LwM2MObjectInstance] = []
        for (element, elementPointer, id) in try children(members, "instances", pointer: pointer, idLimit: 65534) {
            let childPath = try child(path, id, pointer: elementPointer)
            guard case .objectInstance(let instance) = try node(element, at: childPath, pointer: elementPointer) else {
                preconditionFailure("a node at an object-instance path is an object instance")
            }
            instances.append(instance)
        }
        do {
            return try LwM2MObject(id: path.ids[0], instances: instances)
        } catch {
            throw NodeJSONError(pointer: pointer, error.message)
        }
    }

    /// The resources of an object-instance body: every element needs its `id`.
    private func instance(_ members: [String: RequestJSON], at path: LwM2MPath, pointer: String)
        throws(NodeJSONError) -> LwM2MObjectInstance
    {
        var resources: [LwM2MResource] = []
        for (element, elementPointer, id) in try children(members, "resources", pointer: pointer, idLimit: 65535) {
            let childPath = try child(path, id, pointer: elementPointer)
            guard case .resource(let resource) = try node(element, at: childPath, pointer: elementPointer) else {
                preconditionFailure("a node at a resource path is a resource")
            }
            resources.append(resource)
        }
        do {
            return try LwM2MObjectInstance(id: path.ids[1], resources: resources)
        } catch {
            throw NodeJSONError(pointer: pointer, error.message)
        }
    }

    /// A single or multiple resource body.
    private func resource(
        _ members: [String: RequestJSON], kind: NodeDTO.Kind, at path: LwM2MPath, pointer: String
    ) throws(NodeJSONError) -> LwM2MResource {
        let type = try dataType(members, kind: kind, at: path, pointer: pointer)
        let id = path.ids[2]
        if kind == .singleResource {
            let value = try value(members["value"], type: type, at: path, pointer: NodeJSONError.pointer(pointer, "value"))
            return .single(id: id, value: value)
        }
        let valuesPointer = NodeJSONError.pointer(pointer, "values")
        guard let valuesJSON = members["values"] else {
            throw NodeJSONError(pointer: pointer, "missing member 'values'")
        }
        let entries = try Self.members(of: valuesJSON, pointer: valuesPointer, what: "resource instances by id")
        var values: [UInt16: LwM2MValue] = [:]
        for (key, json) in entries {
            let entryPointer = NodeJSONError.pointer(valuesPointer, key)
            guard let instanceID = Self.decimalID(key) else {
                throw NodeJSONError(pointer: entryPointer, "'\(key)' is not a resource-instance id in 0...65535")
            }
            let instancePath = try child(path, instanceID, pointer: entryPointer)
            values[instanceID] = try value(json, type: type, at: instancePath, pointer: entryPointer)
        }
        do {
            return try .multiple(id: id, type: type, instances: values)
        } catch {
            throw NodeJSONError(pointer: valuesPointer, error.message)
        }
    }

    // MARK: - Types and members

    /// The data type of a resource or resource instance: the model's, checked against `type` when given.
    private func dataType(_ members: [String: RequestJSON], kind: NodeDTO.Kind, at path: LwM2MPath, pointer: String)
        throws(NodeJSONError) -> ResourceDataType
    {
        let typePointer = NodeJSONError.pointer(pointer, "type")
        var given: ResourceDataType?
        if let json = members["type"] {
            guard case .string(let name) = json, let type = ResourceDataType(rawValue: name), type != .none else {
                let names = ResourceDataType.allCases.filter { $0 != .none }.map(\.rawValue).joined(separator: ", ")
                throw NodeJSONError(pointer: typePointer, "expected one of \(names)")
            }
            given = type
        }
        let resourcePath = "/\(path.ids[0])/\(path.ids[1])/\(path.ids[2])"
        guard let definition = model.resource(path.ids[0], path.ids[2]) else {
            guard let given else {
                throw NodeJSONError(
                    pointer: pointer, "resource \(resourcePath) is not in the object model; give its 'type'")
            }
            return given
        }
        let name = "resource \(resourcePath) (\(definition.name))"
        guard definition.type != .none else {
            throw NodeJSONError(pointer: pointer, "\(name) is executable and has no value")
        }
        if let given, given != definition.type {
            throw NodeJSONError(
                pointer: typePointer,
                "'\(given.rawValue)' contradicts the object model: \(name) is \(definition.type.rawValue)")
        }
        switch kind {
        case .singleResource where definition.multiple:
            throw NodeJSONError(pointer: pointer, "\(name) is a multiple-instance resource; send 'values'")
        case .multiResource where !definition.multiple:
            throw NodeJSONError(pointer: pointer, "\(name) is a single-instance resource; send 'value'")
        case .resourceInstance where !definition.multiple:
            throw NodeJSONError(pointer: pointer, "\(name) is a single-instance resource; it has no instances")
        case .object, .instance, .singleResource, .multiResource, .resourceInstance:
            return definition.type
        }
    }

    /// The `kind` of a node body: the given one if it fits `path`, else inferred from the depth and members.
    private static func kind(of members: [String: RequestJSON], at path: LwM2MPath, pointer: String)
        throws(NodeJSONError) -> NodeDTO.Kind
    {
        let allowed: [NodeDTO.Kind] =
            switch path.depth {
            case 1: [.object]
            case 2: [.instance]
            case 3: [.singleResource, .multiResource]
            default: [.resourceInstance]
            }
        guard let json = members["kind"] else {
            guard allowed.count > 1 else { return allowed[0] }
            if members["values"] != nil { return .multiResource }
            if members["value"] != nil { return .singleResource }
            throw NodeJSONError(pointer: pointer, "a resource needs 'value' (single) or 'values' (multiple)")
        }
        let kindPointer = NodeJSONError.pointer(pointer, "kind")
        guard case .string(let name) = json, let kind = NodeDTO.Kind(rawValue: name) else {
            let names = NodeDTO.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw NodeJSONError(pointer: kindPointer, "expected one of \(names)")
        }
        guard allowed.contains(kind) else {
            let names = allowed.map(\.rawValue).joined(separator: " or ")
            throw NodeJSONError(pointer: kindPointer, "kind '\(kind.rawValue)' cannot be at \(path); expected \(names)")
        }
        return kind
    }

    /// Rejects members a node of `kind` does not have, and requires the one holding its content.
    private static func checkMembers(_ members: [String: RequestJSON], kind: NodeDTO.Kind, pointer: String)
        throws(NodeJSONError)
    {
        let content: String =
            switch kind {
            case .object: "instances"
            case .instance: "resources"
            case .singleResource, .resourceInstance: "value"
            case .multiResource: "values"
            }
        var known: Set = ["id", "kind", content]
        if kind != .object, kind != .instance { known.insert("type") }
        for name in members.keys.sorted() where !known.contains(name) {
            throw NodeJSONError(
                pointer: NodeJSONError.pointer(pointer, name), "unknown member '\(name)' for a \(kind.rawValue)")
        }
        guard members[content] != nil else {
            throw NodeJSONError(pointer: pointer, "missing member '\(content)'")
        }
    }

    /// The elements of the child array `name`, each with its pointer and its (required, unique) `id`.
    private func children(_ members: [String: RequestJSON], _ name: String, pointer: String, idLimit: UInt16)
        throws(NodeJSONError) -> [(RequestJSON, String, UInt16)]
    {
        let arrayPointer = NodeJSONError.pointer(pointer, name)
        guard case .array(let elements) = members[name] else {
            throw NodeJSONError(pointer: arrayPointer, "expected an array, got \(members[name]?.typeDescription ?? "nothing")")
        }
        var seen: Set<UInt16> = []
        var result: [(RequestJSON, String, UInt16)] = []
        for (index, element) in elements.enumerated() {
            let elementPointer = NodeJSONError.pointer(arrayPointer, String(index))
            let elementMembers = try Self.members(of: element, pointer: elementPointer, what: "a node")
            guard let id = try Self.id(in: elementMembers, pointer: elementPointer) else {
                throw NodeJSONError(pointer: elementPointer, "missing member 'id'")
            }
            guard id <= idLimit else {
                throw NodeJSONError(pointer: NodeJSONError.pointer(elementPointer, "id"), "id \(id) is reserved (MAX_ID)")
            }
            guard seen.insert(id).inserted else {
                throw NodeJSONError(pointer: NodeJSONError.pointer(elementPointer, "id"), "id \(id) appears twice")
            }
            result.append((element, elementPointer, id))
        }
        return result
    }

    /// `path` extended by `id`.
    private func child(_ path: LwM2MPath, _ id: UInt16, pointer: String) throws(NodeJSONError) -> LwM2MPath {
        do {
            return try path.appending(id)
        } catch {
            throw NodeJSONError(pointer: pointer, error.message)
        }
    }

    /// The members of a JSON object, or an error naming what was expected.
    static func members(of json: RequestJSON, pointer: String, what: String) throws(NodeJSONError)
        -> [String: RequestJSON]
    {
        guard case .object(let members) = json else {
            throw NodeJSONError(pointer: pointer, "expected \(what) (a JSON object), got \(json.typeDescription)")
        }
        return members
    }

    /// The `id` member as an id in 0...65535, `nil` when absent.
    private static func id(in members: [String: RequestJSON], pointer: String) throws(NodeJSONError) -> UInt16? {
        guard let json = members["id"] else { return nil }
        guard case .integer(let number) = json, let id = UInt16(exactly: number) else {
            throw NodeJSONError(pointer: NodeJSONError.pointer(pointer, "id"), "expected an id in 0...65535")
        }
        return id
    }

    /// A decimal id without sign or leading zeros in 0...65535 (a `values` key).
    static func decimalID(_ text: String) -> UInt16? {
        guard !text.isEmpty, text.utf8.count <= 5, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            text == "0" || !text.hasPrefix("0")
        else { return nil }
        return UInt16(text)
    }
}
