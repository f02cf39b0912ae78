import CoAP

extension ClientObjectTree {
    /// Read (LwM2M 1.1 Core §6.3.1): 2.05 with the node in the Accept format, else in `defaultFormat`; 4.04 for a
    /// missing path; 4.05 for the root or a resource the model declares without R (executables included); 4.06
    /// when the format is unknown or cannot carry the node. Object and instance reads leave out unreadable resources.
    func read(_ path: LwM2MPath, accept: UInt16?) throws(ClientRequestFailure) -> ClientRequestOutcome {
        guard !path.isRoot else { throw .notAllowed("Read on / is not an LwM2M operation") }
        let node = try readableNode(at: path)
        let format = accept.map { ContentFormat(rawValue: $0) } ?? defaultFormat
        guard codecs.codec(for: format) != nil else {
            throw ClientRequestFailure(.notAcceptable, "\(format) is not supported")
        }
        let payload: [UInt8]
        do {
            payload = try codecs.encode(node, at: path, format: format, model: model)
        } catch {
            throw .encoding(error, format: format)
        }
        return ClientRequestOutcome(
            response: CoAPResponse(code: .content, contentFormat: format.rawValue, payload: payload))
    }

    /// The node at `path` for a Read: 4.04 when absent, 4.05 when the resource is not readable.
    func readableNode(at path: LwM2MPath) throws(ClientRequestFailure) -> LwM2MNode {
        if path.depth >= 3 {
            _ = try existingInstance(path)
            let resourcePath = LwM2MPath(validated: Array(path.ids.prefix(3)))
            guard let definition = model.resource(path.ids[0], path.ids[2]) else { throw .notFound(path) }
            if isExecutable(resourcePath) || !definition.operations.contains(.read) {
                throw .notAllowed("\(resourcePath) is not readable")
            }
        }
        try requireExisting(path)
        guard let node = nodeFiltered(at: path, include: { $0?.operations.contains(.read) ?? true }) else {
            throw .notFound(path)
        }
        return node
    }

    /// Discover (LwM2M 1.1 Core §6.3.2): 2.05 in link format. An object lists itself, its instances and their
    /// resources; an instance itself and its resources; a resource itself. Every link carries the attributes
    /// written at its path, and `dim=` for a multiple resource. 4.05 on `/` and on a resource instance.
    func discover(_ path: LwM2MPath) throws(ClientRequestFailure) -> ClientRequestOutcome {
        guard !path.isRoot, !path.isResourceInstance else {
            throw .notAllowed("Discover applies to an object, an object instance or a resource")
        }
        try requireExisting(path)
        var links: [LwM2MLink] = [link(for: path)]
        func addResources(of instancePath: LwM2MPath) {
            guard let instance = objects[instancePath.ids[0]]?[instancePath.ids[1]] else { return }
            for resourceID in instance.resourceIDs {
                links.append(link(for: NodeAssembler.child(instancePath, resourceID)))
            }
        }
        switch path.depth {
        case 1:
            for instanceID in instanceIDs(of: path.ids[0]) {
                let instancePath = NodeAssembler.child(path, instanceID)
                links.append(link(for: instancePath))
                addResources(of: instancePath)
            }
        case 2:
            addResources(of: path)
        default:
            break
        }
        return ClientRequestOutcome(response: CoAPResponse(
            code: .content, contentFormat: ContentFormat.linkFormat.rawValue, payload: LinkFormatCodec().encode(links)))
    }

    /// The Discover link of `path`: `dim=` for a multiple resource, then the written attributes.
    private func link(for path: LwM2MPath) -> LwM2MLink {
        var parameters: [LinkParameter] = []
        if let count = resource(at: path)?.instances?.count {
            parameters.append(LinkParameter(name: "dim", value: String(count)))
        }
        for item in attributes[path]?.queryItems ?? [] {
            let parts = item.split(separator: "=", maxSplits: 1)
            parameters.append(LinkParameter(name: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : nil))
        }
        return LwM2MLink(path: path, attributes: parameters)
    }

    /// Read-Composite (LwM2M 1.1 Core §6.3.8): FETCH `/` with a SenML JSON/CBOR path list; 2.05 with every node in
    /// the Accept format (SenML JSON/CBOR, by default the request's). `/` in the list stands for every object.
    /// 4.15 for another request format, 4.06 for another Accept, 4.00 for a bad list, 4.01/4.04/4.05 as Read.
    func readComposite(_ request: CoAPRequest) throws(ClientRequestFailure) -> ClientRequestOutcome {
        let format = try compositeFormat(of: request)
        let responseFormat = request.accept.map { ContentFormat(rawValue: $0) } ?? format
        guard responseFormat.canonical == .senmlJSON || responseFormat.canonical == .senmlCBOR else {
            throw ClientRequestFailure(.notAcceptable, "Read-Composite answers in SenML JSON or CBOR, not \(responseFormat)")
        }
        let paths: [LwM2MPath]
        do {
            paths = try SenMLPathList.decode(request.payload, format: format)
        } catch {
            throw .badRequest("path list: \(error.description)")
        }
        let nodes = try observedNodes(paths, isComposite: true)
        let payload: [UInt8]
        do {
            payload = try codecs.encodeNodes(nodes, format: responseFormat, model: model)
        } catch {
            throw .encoding(error, format: responseFormat)
        }
        return ClientRequestOutcome(
            response: CoAPResponse(code: .content, contentFormat: responseFormat.rawValue, payload: payload))
    }

    /// The SenML format of a composite request: 4.00 when missing, 4.15 unless SenML JSON or SenML CBOR.
    func compositeFormat(of request: CoAPRequest) throws(ClientRequestFailure) -> ContentFormat {
        guard let raw = request.contentFormat else { throw .badRequest("the payload has no Content-Format") }
        let format = ContentFormat(rawValue: raw)
        guard format.canonical == .senmlJSON || format.canonical == .senmlCBOR else {
            throw ClientRequestFailure(.unsupportedContentFormat, "composite operations take SenML JSON or CBOR, not \(format)")
        }
        return format
    }
}
