/// Converts between nodes and flat lists of (path, value) leaves: the shared node mapping of the multi-value
/// formats (SenML JSON/CBOR, LwM2M JSON), where every value is written under its own resource or
/// resource-instance path (LwM2M 1.1 Core §7.4.5).
enum NodeAssembler {
    /// One value and the resource or resource-instance path it sits at.
    typealias Leaf = (path: LwM2MPath, value: LwM2MValue)

    /// The leaves of `node` (which sits at `path`) in path order. Empty instances and empty multiple resources
    /// contribute nothing, as these formats cannot carry them.
    static func leaves(of node: LwM2MNode, at path: LwM2MPath) -> [Leaf] {
        var out: [Leaf] = []
        switch node {
        case .object(let object):
            for instanceID in object.instances.keys.sorted() {
                appendLeaves(of: object.instances[instanceID]!, at: child(path, instanceID), to: &out)
            }
        case .objectInstance(let instance):
            appendLeaves(of: instance, at: path, to: &out)
        case .resource(let resource):
            appendLeaves(of: resource, at: path, to: &out)
        case .resourceInstance(let instance):
            out.append((path, instance.value))
        }
        return out
    }

    private static func appendLeaves(of instance: LwM2MObjectInstance, at path: LwM2MPath, to out: inout [Leaf]) {
        for resourceID in instance.resources.keys.sorted() {
            appendLeaves(of: instance.resources[resourceID]!, at: child(path, resourceID), to: &out)
        }
    }

    private static func appendLeaves(of resource: LwM2MResource, at path: LwM2MPath, to out: inout [Leaf]) {
        switch resource.content {
        case .single(let value):
            out.append((path, value))
        case .multiple(let instances):
            for instanceID in instances.keys.sorted() {
                out.append((child(path, instanceID), instances[instanceID]!))
            }
        }
    }

    /// The child path; ids come from validated nodes, so no check is needed.
    static func child(_ path: LwM2MPath, _ id: UInt16) -> LwM2MPath {
        LwM2MPath(validated: path.ids + [id])
    }

    /// Builds the node at `path` from leaves that must all lie at or under it. Throws `pathMismatch` for a leaf
    /// elsewhere, for a resource given both a value and instances, or for a single/multiple shape the model
    /// contradicts; `duplicateID` for two values at one path.
    static func assemble(_ leaves: [Leaf], at path: LwM2MPath, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> LwM2MNode
    {
        for leaf in leaves where !path.isPrefix(of: leaf.path) || leaf.path.depth < 3 {
            throw LwM2MCodecError(.pathMismatch, "value at \(leaf.path) is not under the requested path", path: path)
        }
        switch path.depth {
        case 4:
            guard let leaf = leaves.first else {
                throw LwM2MCodecError(.pathMismatch, "no value for the resource instance", path: path)
            }
            guard leaves.count == 1 else {
                throw LwM2MCodecError(.duplicateID, "\(leaves.count) values for one resource instance", path: path)
            }
            return .resourceInstance(LwM2MResourceInstance(id: path.ids[3], value: leaf.value))
        case 3:
            return .resource(try resource(leaves, at: path, model: model))
        case 2:
            return .objectInstance(try instance(leaves, at: path, model: model))
        case 1:
            var byInstance: [UInt16: [Leaf]] = [:]
            for leaf in leaves { byInstance[leaf.path.ids[1], default: []].append(leaf) }
            var instances: [LwM2MObjectInstance] = []
            for (instanceID, group) in byInstance {
                instances.append(try instance(group, at: child(path, instanceID), model: model))
            }
            return .object(try annotating(path) { () throws(LwM2MCodecError) in
                try LwM2MObject(id: path.ids[0], instances: instances)
            })
        default:
            throw LwM2MCodecError(.unsupportedNode, "the root is not a node", path: path)
        }
    }

    private static func instance(_ leaves: [Leaf], at path: LwM2MPath, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> LwM2MObjectInstance
    {
        var byResource: [UInt16: [Leaf]] = [:]
        for leaf in leaves { byResource[leaf.path.ids[2], default: []].append(leaf) }
        var resources: [LwM2MResource] = []
        for (resourceID, group) in byResource {
            resources.append(try resource(group, at: child(path, resourceID), model: model))
        }
        return try annotating(path) { () throws(LwM2MCodecError) in
            try LwM2MObjectInstance(id: path.ids[1], resources: resources)
        }
    }

    private static func resource(_ leaves: [Leaf], at path: LwM2MPath, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> LwM2MResource
    {
        let definition = ValueTyping.definition(at: path, model: model)
        let resourceID = path.ids[2]
        var single: LwM2MValue?
        var instances: [UInt16: LwM2MValue] = [:]
        for leaf in leaves {
            if leaf.path.depth == 3 {
                guard single == nil else {
                    throw LwM2MCodecError(.duplicateID, "two values for one resource", path: path)
                }
                single = leaf.value
            } else {
                guard instances.updateValue(leaf.value, forKey: leaf.path.ids[3]) == nil else {
                    throw LwM2MCodecError(.duplicateID, "two values for one resource instance", path: leaf.path)
                }
            }
        }
        if let single {
            guard instances.isEmpty else {
                throw LwM2MCodecError(.pathMismatch, "resource has both a value and instances", path: path)
            }
            guard definition?.multiple != true else {
                throw LwM2MCodecError(
                    .pathMismatch, "multiple-instance resource given a single value without instance id", path: path)
            }
            return .single(id: resourceID, value: single)
        }
        if let definition, !definition.multiple {
            guard !instances.isEmpty else {
                throw LwM2MCodecError(.pathMismatch, "no value for the single-instance resource", path: path)
            }
            throw LwM2MCodecError(
                .pathMismatch, "single-instance resource given values with resource-instance ids", path: path)
        }
        var resolvedType = definition?.type
        if resolvedType == nil { resolvedType = try commonType(of: instances, at: path) }
        guard let type = resolvedType else {
            throw LwM2MCodecError(.pathMismatch, "no value for a resource the object model does not know", path: path)
        }
        if definition == nil && type == .float {
            instances = instances.mapValues { value in
                if case .integer(let number) = value { return .float(Double(number)) }
                return value
            }
        }
        return try annotating(path) { () throws(LwM2MCodecError) in
            try LwM2MResource.multiple(id: resourceID, type: type, instances: instances)
        }
    }

    /// The type shared by the instances of an unknown resource; integers and floats together make floats.
    /// `nil` when there are no instances.
    private static func commonType(of instances: [UInt16: LwM2MValue], at path: LwM2MPath)
        throws(LwM2MCodecError) -> ResourceDataType?
    {
        let types = Set(instances.values.map(\.dataType))
        if types.count <= 1 { return types.first }
        if types == [.integer, .float] { return .float }
        throw LwM2MCodecError(.typeMismatch, "instances of one resource have different types", path: path)
    }
}
