import CoAP
import Foundation

extension ClientObjectTree {
    /// Write (LwM2M 1.1 Core §6.3.3) on an instance, resource or resource instance, decoded with the request's
    /// Content-Format. Replace (PUT) sets an instance's writable resources to exactly those in the payload (read-only
    /// ones are kept) and replaces a resource whole; partial update (POST) changes only what the payload carries,
    /// adding or updating instances of multiple resources. 2.04; 4.04 for a missing instance or unknown resource,
    /// 4.05 on `/`, an object or a resource without the W operation, 4.15/4.00 for a payload the codecs refuse.
    mutating func write(_ path: LwM2MPath, request: CoAPRequest, mode: WriteMode) throws(ClientRequestFailure)
        -> ClientRequestOutcome
    {
        guard path.depth >= 2 else { throw .notAllowed("Write applies to an object instance or below, not \(path)") }
        _ = try existingInstance(path)
        if path.depth >= 3 {
            let resourcePath = LwM2MPath(validated: Array(path.ids.prefix(3)))
            guard let definition = model.resource(path.ids[0], path.ids[2]) else { throw .notFound(path) }
            if isExecutable(resourcePath) { throw .notAllowed("\(resourcePath) is executable") }
            if path.isResourceInstance && !definition.multiple { throw .notFound(path) }
        }
        let format = try payloadFormat(of: request)
        let node: LwM2MNode
        do {
            node = try codecs.decode(request.payload, format: format, path: path, model: model)
        } catch {
            throw .decoding(error, format: format)
        }
        let written = try apply(node, at: path, mode: mode)
        return ClientRequestOutcome(response: CoAPResponse(code: .changed), event: .written(written))
    }

    /// Write-Composite (LwM2M 1.1 Core §6.3.9): iPATCH `/` with SenML JSON/CBOR; every value is a partial update of
    /// its resource or resource instance. All of it applies or nothing (the tree is a copy until success). 2.04;
    /// 4.15 for another format, 4.00 for a bad payload, 4.01/4.04/4.05 as Write.
    mutating func writeComposite(_ request: CoAPRequest) throws(ClientRequestFailure) -> ClientRequestOutcome {
        let format = try compositeFormat(of: request)
        let nodes: [LwM2MPath: LwM2MNode]
        do {
            nodes = try codecs.decodeNodes(request.payload, format: format, model: model)
        } catch {
            throw .decoding(error, format: format)
        }
        for path in nodes.keys.sorted() {
            if Self.bootstrapOnlyObjects.contains(path.ids[0]) { throw .unauthorized(path) }
            _ = try existingInstance(path)
            guard model.resource(path.ids[0], path.ids[2]) != nil else { throw .notFound(path) }
            try requireWritable(LwM2MPath(validated: Array(path.ids.prefix(3))))
        }
        var written: [LwM2MPath] = []
        for path in nodes.keys.sorted() {
            written += try apply(nodes[path]!, at: path, mode: .update)
        }
        return ClientRequestOutcome(response: CoAPResponse(code: .changed), event: .written(written))
    }

    /// Create (LwM2M 1.1 Core §6.3.6): POST `/o` with the new instance, TLV with or without its instance record,
    /// SenML or LwM2M JSON with instance paths, or no payload at all. The id comes from the payload, else it is the
    /// lowest free one. 2.01 with Location-Path `o/i`; 4.04 for an unsupported object; 4.00 for an id in use, a
    /// second instance of a single-instance object, several instances or resources the object does not define.
    mutating func create(objectID: UInt16, request: CoAPRequest) throws(ClientRequestFailure) -> ClientRequestOutcome {
        let objectPath = LwM2MPath(objectID: objectID)
        guard let existing = objects[objectID], let definition = model.object(objectID) else {
            throw .notFound(objectPath)
        }
        guard let freeID = (0..<LwM2MPath.maxID).first(where: { existing[$0] == nil }) else {
            throw .badRequest("object \(objectID) has no free instance id")
        }
        var instance = try Self.emptyInstance(freeID)
        if !request.payload.isEmpty {
            instance = try decodeCreated(request, objectPath: objectPath, freeID: freeID)
        }
        let path = NodeAssembler.child(objectPath, instance.id)
        guard existing[instance.id] == nil else { throw .badRequest("\(path) already exists") }
        guard definition.multipleInstances || existing.isEmpty else {
            throw .badRequest("object \(objectID) is single-instance and already has an instance")
        }
        for resource in instance.resources.values {
            do {
                try Self.check(resource, at: NodeAssembler.child(path, resource.id), model: model)
            } catch {
                throw .badRequest(error.description)
            }
        }
        let executables = definition.resources.values.filter { $0.type == .none }.map(\.id)
        objects[objectID]?[instance.id] = Instance(resources: instance.resources, executables: Set(executables))
        return ClientRequestOutcome(
            response: CoAPResponse(code: .created, locationPath: [String(objectID), String(instance.id)]),
            event: .instanceCreated(path))
    }

    /// The one instance of a Create payload: decoded at `/o` (ids from the payload), or at `/o/freeID` when the
    /// payload has no instance level (TLV resources without an instance record).
    private func decodeCreated(_ request: CoAPRequest, objectPath: LwM2MPath, freeID: UInt16)
        throws(ClientRequestFailure) -> LwM2MObjectInstance
    {
        let format = try payloadFormat(of: request)
        let node: LwM2MNode
        do {
            node = try codecs.decode(request.payload, format: format, path: objectPath, model: model)
        } catch let error where error.kind == .pathMismatch {
            do {
                node = try codecs.decode(request.payload, format: format,
                                         path: NodeAssembler.child(objectPath, freeID), model: model)
            } catch {
                throw .decoding(error, format: format)
            }
        } catch {
            throw .decoding(error, format: format)
        }
        switch node {
        case .object(let object):
            guard object.instances.count <= 1 else {
                throw .badRequest("Create takes one instance, the payload has \(object.instances.count)")
            }
            if let instance = object.instances.values.first { return instance }
            return try Self.emptyInstance(freeID)
        case .objectInstance(let instance):
            return instance
        case .resource, .resourceInstance:
            throw .badRequest("the Create payload is not an object instance")
        }
    }

    /// An instance without resources (`id` is below 65535).
    static func emptyInstance(_ id: UInt16) throws(ClientRequestFailure) -> LwM2MObjectInstance {
        do {
            return try LwM2MObjectInstance(id: id, resources: [])
        } catch {
            throw .badRequest(error.description)
        }
    }

    /// Delete (LwM2M 1.1 Core §6.3.7) of an object instance: 2.02; 4.04 when absent; 4.05 on anything but an
    /// instance, and on the instance of a mandatory single-instance object (Device).
    mutating func delete(_ path: LwM2MPath) throws(ClientRequestFailure) -> ClientRequestOutcome {
        guard path.isObjectInstance else { throw .notAllowed("Delete applies to an object instance, not \(path)") }
        _ = try existingInstance(path)
        if let definition = model.object(path.ids[0]), definition.mandatory, !definition.multipleInstances {
            throw .notAllowed("the instance of mandatory single-instance object \(path.ids[0]) cannot be deleted")
        }
        removeInstance(objectID: path.ids[0], instanceID: path.ids[1])
        return ClientRequestOutcome(response: CoAPResponse(code: .deleted), event: .instanceDeleted(path))
    }

    /// Execute (LwM2M 1.1 Core §6.3.5) of a supported executable resource, with arguments in the Core §6.3.5 grammar:
    /// 2.04; 4.04 when the instance or resource is absent; 4.00 for arguments outside the grammar.
    mutating func execute(_ path: LwM2MPath, payload: [UInt8], now: Date) throws(ClientRequestFailure)
        -> ClientRequestOutcome
    {
        let instance = try existingInstance(path)
        guard instance.executables.contains(path.ids[2]) else { throw .notFound(path) }
        guard let text = String(validating: payload, as: UTF8.self) else {
            throw .badRequest("Execute arguments are not UTF-8")
        }
        guard let parsed = ClientExecution.parseArguments(text) else {
            throw .badRequest("Execute arguments '\(text.prefix(64))' do not follow the argument grammar")
        }
        let arguments = text.isEmpty ? nil : text
        lastExecution = ClientExecution(path: path, arguments: arguments, parsedArguments: parsed, time: now)
        return ClientRequestOutcome(response: CoAPResponse(code: .changed), event: .executed(path, arguments: arguments))
    }

    /// 4.05 unless the resource at `/o/i/r` is defined writable and not executable.
    private func requireWritable(_ resourcePath: LwM2MPath) throws(ClientRequestFailure) {
        guard let definition = model.resource(resourcePath.ids[0], resourcePath.ids[2]) else {
            throw .notFound(resourcePath)
        }
        guard definition.operations.contains(.write), !isExecutable(resourcePath) else {
            throw .notAllowed("\(resourcePath) is not writable")
        }
    }

    /// Applies a decoded node at `path` (depth 2 to 4) and returns the paths written; checks writability and the
    /// model first.
    private mutating func apply(_ node: LwM2MNode, at path: LwM2MPath, mode: WriteMode) throws(ClientRequestFailure)
        -> [LwM2MPath]
    {
        let objectID = path.ids[0]
        let instanceID = path.ids[1]
        var instance = try existingInstance(path)
        var written: [LwM2MPath] = []
        func set(_ resource: LwM2MResource) throws(ClientRequestFailure) {
            let resourcePath = LwM2MPath(validated: [objectID, instanceID, resource.id])
            try requireWritable(resourcePath)
            do {
                try Self.check(resource, at: resourcePath, model: model)
            } catch {
                throw .badRequest(error.description)
            }
            var merged = resource
            if mode == .update, let old = instance.resources[resource.id]?.instances,
                let new = resource.instances
            {
                do {
                    merged = try .multiple(id: resource.id, type: resource.type,
                                           instances: old.merging(new) { _, newer in newer })
                } catch {
                    throw .badRequest(error.description)
                }
            }
            instance.resources[resource.id] = merged
            written.append(resourcePath)
        }
        switch node {
        case .object:
            throw .notAllowed("Write applies to an object instance or below")
        case .objectInstance(let payload):
            if mode == .replace {
                instance.resources = instance.resources.filter { id, _ in
                    model.resource(objectID, id)?.operations.contains(.write) != true
                }
            }
            for resourceID in payload.resources.keys.sorted() {
                try set(payload.resources[resourceID]!)
            }
        case .resource(let resource):
            try set(resource)
        case .resourceInstance(let resourceInstance):
            let resourcePath = LwM2MPath(validated: Array(path.ids.prefix(3)))
            try requireWritable(resourcePath)
            guard let definition = model.resource(objectID, path.ids[2]), definition.multiple else {
                throw .notFound(path)
            }
            var values = instance.resources[path.ids[2]]?.instances ?? [:]
            values[resourceInstance.id] = resourceInstance.value
            do {
                instance.resources[path.ids[2]] = try .multiple(id: path.ids[2], type: definition.type, instances: values)
            } catch {
                throw .badRequest(error.description)
            }
            written.append(path)
        }
        objects[objectID]?[instanceID] = instance
        return written
    }
}
