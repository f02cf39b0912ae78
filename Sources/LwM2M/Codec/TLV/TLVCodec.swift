/// The TLV codec (11542, LwM2M 1.1 Core §7.4.3): nodes ↔ `TLVRecord`s.
///
/// Encoding: an object is a sequence of object-instance records; an object instance (the request path) is the
/// sequence of its resource records without an instance wrapper, as in the spec's Device example; a single
/// resource is one resource record; a multiple resource is one multiple-resource record; a resource instance is
/// one resource-instance record.
///
/// Decoding follows the requested path and, like Leshan, tolerates the shapes clients actually send: an object
/// instance with or without its wrapper; a multiple resource as a multiple-resource record or as bare
/// resource-instance records; a resource inside a wrapper of the requested instance. Values of objects or
/// resources the model does not know decode as opaque. An empty payload is an empty object, an empty instance or
/// an empty multiple resource.
public struct TLVCodec: LwM2MNodeCodec {
    /// Creates the codec.
    public init() {}

    /// `ContentFormat.tlv`.
    public var format: ContentFormat { .tlv }

    /// Encodes any node except the root.
    public func encode(_ node: LwM2MNode, at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [UInt8]
    {
        try node.validate(at: path)
        let records: [TLVRecord]
        switch node {
        case .object(let object):
            records = try object.instances.keys.sorted().map { (instanceID) throws(LwM2MCodecError) in
                let instancePath = NodeAssembler.child(path, instanceID)
                return .objectInstance(
                    id: instanceID,
                    resources: try resourceRecords(object.instances[instanceID]!, at: instancePath, model: model))
            }
        case .objectInstance(let instance):
            records = try resourceRecords(instance, at: path, model: model)
        case .resource(let resource):
            records = [try record(for: resource, at: path, model: model)]
        case .resourceInstance(let instance):
            try ValueTyping.check(instance.value, at: path, model: model)
            records = [.resourceInstance(id: instance.id, value: TLVValue.encode(instance.value))]
        }
        return try TLVRecord.encode(records)
    }

    private func resourceRecords(_ instance: LwM2MObjectInstance, at path: LwM2MPath, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [TLVRecord]
    {
        try instance.resources.keys.sorted().map { (resourceID) throws(LwM2MCodecError) in
            try record(for: instance.resources[resourceID]!, at: NodeAssembler.child(path, resourceID), model: model)
        }
    }

    private func record(for resource: LwM2MResource, at path: LwM2MPath, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> TLVRecord
    {
        switch resource.content {
        case .single(let value):
            try ValueTyping.check(value, at: path, model: model)
            return .resource(id: resource.id, value: TLVValue.encode(value))
        case .multiple(let instances):
            var children: [TLVRecord] = []
            for instanceID in instances.keys.sorted() {
                try ValueTyping.check(instances[instanceID]!, at: path, model: model)
                children.append(.resourceInstance(id: instanceID, value: TLVValue.encode(instances[instanceID]!)))
            }
            return .multipleResource(id: resource.id, instances: children)
        }
    }

    /// Decodes the node at `path`.
    public func decode(_ bytes: [UInt8], at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> LwM2MNode
    {
        let records = try TLVRecord.decode(bytes)
        switch path.depth {
        case 1:
            return .object(try decodeObject(records, at: path, model: model))
        case 2:
            return .objectInstance(try decodeInstance(records, at: path, model: model))
        case 3:
            return .resource(try decodeResource(unwrapInstance(records, at: path), at: path, model: model))
        case 4:
            return .resourceInstance(try decodeResourceInstance(records, at: path, model: model))
        default:
            throw LwM2MCodecError(.unsupportedNode, "TLV cannot carry the root", path: path)
        }
    }

    private func decodeObject(_ records: [TLVRecord], at path: LwM2MPath, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> LwM2MObject
    {
        let objectID = path.ids[0]
        let wrapped = records.allSatisfy { if case .objectInstance = $0 { true } else { false } }
        if !wrapped {
            // Resources without an instance record: only unambiguous for a single-instance or unknown object.
            guard model.object(objectID)?.multipleInstances != true else {
                throw LwM2MCodecError(
                    .pathMismatch, "resources of a multiple-instance object without an object-instance record",
                    path: path)
            }
            let instancePath = NodeAssembler.child(path, 0)
            return try annotating(path) { () throws(LwM2MCodecError) in
                try LwM2MObject(id: objectID, instances: [try instance(0, from: records, at: instancePath, model: model)])
            }
        }
        var instances: [LwM2MObjectInstance] = []
        for case .objectInstance(let instanceID, let resources) in records {
            let instancePath = try path.appending(instanceID)
            instances.append(try instance(instanceID, from: resources, at: instancePath, model: model))
        }
        return try annotating(path) { () throws(LwM2MCodecError) in
            try LwM2MObject(id: objectID, instances: instances)
        }
    }

    private func decodeInstance(_ records: [TLVRecord], at path: LwM2MPath, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> LwM2MObjectInstance
    {
        let instanceID = path.ids[1]
        if records.count == 1, case .objectInstance(let id, let resources) = records[0] {
            guard id == instanceID else {
                throw LwM2MCodecError(.pathMismatch, "payload is object instance \(id)", path: path)
            }
            return try instance(instanceID, from: resources, at: path, model: model)
        }
        return try instance(instanceID, from: records, at: path, model: model)
    }

    /// Builds an instance from resource and multiple-resource records.
    private func instance(_ instanceID: UInt16, from records: [TLVRecord], at path: LwM2MPath,
                          model: any ObjectModelProvider) throws(LwM2MCodecError) -> LwM2MObjectInstance
    {
        var resources: [LwM2MResource] = []
        for record in records {
            switch record {
            case .resource(let id, _), .multipleResource(let id, _):
                resources.append(try decodeResource([record], at: NodeAssembler.child(path, id), model: model))
            case .objectInstance, .resourceInstance:
                throw LwM2MCodecError(.malformed, "unexpected \(record.kindName) record inside an object instance",
                                      path: path)
            }
        }
        return try annotating(path) { () throws(LwM2MCodecError) in
            try LwM2MObjectInstance(id: instanceID, resources: resources)
        }
    }

    /// The records inside a single object-instance record for the path's instance, or the records as given.
    private func unwrapInstance(_ records: [TLVRecord], at path: LwM2MPath) throws(LwM2MCodecError) -> [TLVRecord] {
        guard records.count == 1, case .objectInstance(let id, let resources) = records[0] else { return records }
        guard id == path.ids[1] else {
            throw LwM2MCodecError(.pathMismatch, "payload is object instance \(id)", path: path)
        }
        return resources
    }

    /// Builds the resource at `path` (depth 3) from one resource record, one multiple-resource record, or bare
    /// resource-instance records.
    private func decodeResource(_ records: [TLVRecord], at path: LwM2MPath, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> LwM2MResource
    {
        let resourceID = path.ids[2]
        let definition = ValueTyping.definition(at: path, model: model)
        if definition?.type == ResourceDataType.none {
            throw LwM2MCodecError(.typeMismatch, "resource is executable and has no value", path: path)
        }
        if records.isEmpty {
            guard let definition, definition.multiple else {
                throw LwM2MCodecError(.pathMismatch, "empty payload for a resource that needs a value", path: path)
            }
            return try annotating(path) { () throws(LwM2MCodecError) in
                try LwM2MResource.multiple(id: resourceID, type: definition.type, instances: [:])
            }
        }
        var instanceRecords = records
        if records.count == 1, case .resource(let id, let value) = records[0] {
            guard id == resourceID else { throw idMismatch("resource", id, path) }
            guard definition?.multiple != true else {
                throw LwM2MCodecError(.pathMismatch, "multiple-instance resource sent as a single value", path: path)
            }
            return .single(id: resourceID, value: try TLVValue.decode(value, as: definition?.type, at: path))
        }
        if records.count == 1, case .multipleResource(let id, let instances) = records[0] {
            guard id == resourceID else { throw idMismatch("multiple resource", id, path) }
            instanceRecords = instances
        }
        guard instanceRecords.allSatisfy({ if case .resourceInstance = $0 { true } else { false } }) else {
            throw LwM2MCodecError(.pathMismatch, "payload is not the requested resource", path: path)
        }
        guard definition?.multiple != false else {
            throw LwM2MCodecError(.pathMismatch, "single-instance resource sent as multiple instances", path: path)
        }
        var instances: [UInt16: LwM2MValue] = [:]
        for case .resourceInstance(let instanceID, let value) in instanceRecords {
            let instancePath = NodeAssembler.child(path, instanceID)
            let decoded = try TLVValue.decode(value, as: definition?.type, at: instancePath)
            guard instances.updateValue(decoded, forKey: instanceID) == nil else {
                throw LwM2MCodecError(.duplicateID, "resource instance appears twice", path: instancePath)
            }
        }
        return try annotating(path) { () throws(LwM2MCodecError) in
            try LwM2MResource.multiple(id: resourceID, type: definition?.type ?? .opaque, instances: instances)
        }
    }

    private func decodeResourceInstance(_ records: [TLVRecord], at path: LwM2MPath, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> LwM2MResourceInstance
    {
        var records = try unwrapInstance(records, at: path)
        if records.count == 1, case .multipleResource(let id, let instances) = records[0] {
            guard id == path.ids[2] else { throw idMismatch("multiple resource", id, path) }
            records = instances
        }
        guard records.count == 1, case .resourceInstance(let id, let value) = records[0] else {
            throw LwM2MCodecError(.pathMismatch, "payload is not one resource instance", path: path)
        }
        guard id == path.ids[3] else { throw idMismatch("resource instance", id, path) }
        let type = ValueTyping.declaredType(at: path, model: model)
        return LwM2MResourceInstance(id: id, value: try TLVValue.decode(value, as: type, at: path))
    }

    private func idMismatch(_ kind: String, _ id: UInt16, _ path: LwM2MPath) -> LwM2MCodecError {
        LwM2MCodecError(.pathMismatch, "payload is \(kind) \(id)", path: path)
    }
}
