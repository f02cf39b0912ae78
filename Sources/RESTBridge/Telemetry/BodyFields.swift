import LwM2M

/// Readers of the members of JSON request bodies (event rules, observation profiles, observations); each
/// throws a 400 `invalid-body` problem with the member's JSON pointer.
enum BodyFields {
    /// The members of a body that must be an object, none of them outside `known`, none of them null.
    static func members(_ body: RequestJSON, known: Set<String>) throws(Problem) -> [String: RequestJSON] {
        do throws(NodeJSONError) {
            let members = try NodeJSONDecoder.members(of: body, pointer: "", what: "the request")
            for name in members.keys.sorted() where !known.contains(name) {
                throw NodeJSONError(
                    pointer: NodeJSONError.pointer("", name),
                    "unknown member '\(name)'; expected \(known.sorted().joined(separator: ", "))")
            }
            // No member of these bodies takes null: an optional one is left out, and null is not "absent".
            for name in members.keys.sorted() where members[name] == .null {
                throw NodeJSONError(
                    pointer: NodeJSONError.pointer("", name), "null is not a value of '\(name)'; leave the member out")
            }
            return members
        } catch {
            throw Problem.invalidBody(error)
        }
    }

    /// A required non-empty string of at most 100 characters (Unicode code points, as JSON Schema's `maxLength`
    /// counts them: a letter with combining marks is several).
    static func name(_ members: [String: RequestJSON], _ key: String = "name") throws(Problem) -> String {
        guard case .string(let name)? = members[key], !name.isEmpty, name.unicodeScalars.count <= 100 else {
            throw Problem.invalidBody(NodeJSONError(pointer: "/\(key)", "expected a non-empty string of at most 100 characters"))
        }
        return name
    }

    /// An optional string.
    static func string(_ members: [String: RequestJSON], _ key: String) throws(Problem) -> String? {
        switch members[key] {
        case nil: return nil
        case .string(let text)?: return text
        case let other?: throw Problem.invalidBody(NodeJSONError(pointer: "/\(key)", "expected a string, got \(other.typeDescription)"))
        }
    }

    /// An optional boolean.
    static func bool(_ members: [String: RequestJSON], _ key: String) throws(Problem) -> Bool? {
        switch members[key] {
        case nil: return nil
        case .bool(let flag)?: return flag
        case let other?: throw Problem.invalidBody(NodeJSONError(pointer: "/\(key)", "expected a boolean, got \(other.typeDescription)"))
        }
    }

    /// An array of strings (`required`: present and non-empty).
    static func strings(_ members: [String: RequestJSON], _ key: String, required: Bool) throws(Problem) -> [String] {
        let pointer = "/\(key)"
        switch members[key] {
        case nil:
            if required { throw Problem.invalidBody(NodeJSONError(pointer: pointer, "missing; expected an array of strings")) }
            return []
        case .array(let elements)?:
            var result: [String] = []
            for (index, element) in elements.enumerated() {
                guard case .string(let text) = element else {
                    throw Problem.invalidBody(NodeJSONError(pointer: "\(pointer)/\(index)", "expected a string"))
                }
                result.append(text)
            }
            if required, result.isEmpty {
                throw Problem.invalidBody(NodeJSONError(pointer: pointer, "expected at least one element"))
            }
            return result
        case let other?:
            throw Problem.invalidBody(NodeJSONError(pointer: pointer, "expected an array of strings, got \(other.typeDescription)"))
        }
    }

    /// LwM2M paths (depth 1 to 4, no repeats) from an array of strings.
    static func paths(_ members: [String: RequestJSON], _ key: String = "paths", required: Bool) throws(Problem) -> [LwM2MPath] {
        var paths: [LwM2MPath] = []
        for (index, text) in try strings(members, key, required: required).enumerated() {
            let pointer = "/\(key)/\(index)"
            guard let path = LwM2MPath.fromAPI(text), !path.isRoot else {
                throw Problem.invalidBody(NodeJSONError(pointer: pointer, "'\(text)' is not an LwM2M path like /3303/0/5700"))
            }
            guard !paths.contains(path) else {
                throw Problem.invalidBody(NodeJSONError(pointer: pointer, "\(path) appears twice"))
            }
            paths.append(path)
        }
        return paths
    }

    /// Optional notification attributes: `{"pmin":1,"pmax":10,"gt":..,"lt":..,"st":..,"epmin":..,"epmax":..}`.
    static func attributes(_ members: [String: RequestJSON], _ key: String = "attributes") throws(Problem)
        -> NotificationAttributes?
    {
        // An absent member means none; `null` is refused like any other value that is no object (a client
        // sending it most likely meant something it did not say).
        guard let json = members[key] else { return nil }
        let pointer = "/\(key)"
        guard case .object(let fields) = json else {
            throw Problem.invalidBody(NodeJSONError(pointer: pointer, "expected an object of attributes, got \(json.typeDescription)"))
        }
        var attributes = NotificationAttributes()
        for name in fields.keys.sorted() {
            let fieldPointer = NodeJSONError.pointer(pointer, name)
            let value = fields[name]!
            guard let attribute = NotificationAttributes.Name(rawValue: name) else {
                throw Problem.invalidBody(NodeJSONError(
                    pointer: fieldPointer,
                    "unknown attribute; expected \(NotificationAttributes.names.joined(separator: ", "))"))
            }
            let number: Double? = switch value {
            case .integer(let n): Double(exactly: n)
            case .unsignedInteger(let n): Double(exactly: n)
            // A period is a JSON integer: 1.5 and 1.0 alike are refused.
            case .float(let x): attribute.isPeriod ? nil : x
            default: nil
            }
            guard let number, attribute.accepts(number) else {
                throw Problem.invalidBody(NodeJSONError(pointer: fieldPointer, "expected \(attribute.expectation)"))
            }
            attributes[attribute] = number
        }
        if let conflict = attributes.conflict {
            throw Problem.invalidBody(NodeJSONError(pointer: pointer, "\(conflict) (LwM2M Core §5.1.2)"))
        }
        return attributes.isEmpty ? nil : attributes
    }
}
