import CoAP

/// Turns `DeviceRequest`s into CoAP requests and CoAP answers into `DeviceResponse`s (LwM2M 1.1 Transport
/// §6.3: the mapping of DM operations onto CoAP methods). Pure: no I/O.
public struct DeviceRequestEncoder: Sendable {
    /// The object definitions used to type payloads.
    public let model: ObjectModelRegistry
    /// The codecs.
    public let codecs: LwM2MCodecRegistry

    /// Creates an encoder.
    public init(model: ObjectModelRegistry, codecs: LwM2MCodecRegistry = .standard) {
        self.model = model
        self.codecs = codecs
    }

    /// The CoAP request for `request`, under the client's alternate root path (`/` or e.g. `/lwm2m/`).
    public func coapRequest(for request: DeviceRequest, format: ContentFormat, rootPath: String)
        throws(DeviceRequestError) -> CoAPRequest
    {
        let root = rootPath.split(separator: "/").map(String.init)
        func uri(_ path: LwM2MPath) -> [String] { root + path.ids.map(String.init) }
        do {
            switch request {
            case .read(let path):
                return CoAPRequest(method: .get, uriPath: uri(path), accept: format.rawValue)
            case .discover(let path):
                guard !path.isRoot, !path.isResourceInstance else {
                    throw DeviceRequestError(.invalidRequest, "Discover targets an object, instance or resource, not \(path)")
                }
                return CoAPRequest(method: .get, uriPath: uri(path), accept: ContentFormat.linkFormat.rawValue)
            case .write(let path, let node, let mode):
                guard path.isObjectInstance || path.isResource || path.isResourceInstance else {
                    throw DeviceRequestError(.invalidRequest, "Write targets an instance or a resource, not \(path)")
                }
                if mode == .update, path.isResourceInstance {
                    throw DeviceRequestError(.invalidRequest, "a partial update targets an instance or a resource")
                }
                let payload = try codecs.encode(node, at: path, format: format, model: model)
                return CoAPRequest(
                    method: mode == .replace ? .put : .post, uriPath: uri(path), contentFormat: format.rawValue,
                    payload: payload)
            case .writeAttributes(let path, let attributes):
                guard !path.isRoot else { throw DeviceRequestError(.invalidRequest, "Write-Attributes needs a path") }
                guard !attributes.isEmpty else { throw DeviceRequestError(.invalidRequest, "no attributes given") }
                return CoAPRequest(method: .put, uriPath: uri(path), uriQuery: attributes.queryItems)
            case .execute(let path, let arguments):
                guard path.isResource else {
                    throw DeviceRequestError(.invalidRequest, "Execute targets a resource, not \(path)")
                }
                let payload = Array((arguments ?? "").utf8)
                return CoAPRequest(
                    method: .post, uriPath: uri(path), contentFormat: payload.isEmpty ? nil : ContentFormat.text.rawValue,
                    payload: payload)
            case .create(let objectID, let instance):
                if instance.resources.isEmpty, format != .tlv {
                    // A SenML pack or LwM2M JSON document without records has nowhere to put the instance id.
                    throw DeviceRequestError(
                        .invalidRequest, "an empty instance can only be created with TLV, which carries its id; not \(format)")
                }
                let object = try LwM2MObject(id: objectID, instances: [instance])
                let path = LwM2MPath(objectID: objectID)
                let payload = try codecs.encode(.object(object), at: path, format: format, model: model)
                return CoAPRequest(method: .post, uriPath: uri(path), contentFormat: format.rawValue, payload: payload)
            case .delete(let path):
                guard path.isObjectInstance else {
                    throw DeviceRequestError(.invalidRequest, "Delete targets an object instance, not \(path)")
                }
                return CoAPRequest(method: .delete, uriPath: uri(path))
            case .readComposite(let paths):
                guard !paths.isEmpty else { throw DeviceRequestError(.invalidRequest, "no paths given") }
                guard format == .senmlJSON || format == .senmlCBOR else {
                    throw DeviceRequestError(.invalidRequest, "composite operations need SenML JSON or SenML CBOR, not \(format)")
                }
                return CoAPRequest(
                    method: .fetch, uriPath: root, contentFormat: format.rawValue, accept: format.rawValue,
                    payload: try SenMLPathList.encode(paths, format: format))
            case .writeComposite(let nodes):
                guard !nodes.isEmpty else { throw DeviceRequestError(.invalidRequest, "no values given") }
                let payload = try codecs.encodeNodes(nodes, format: format, model: model)
                return CoAPRequest(method: .iPatch, uriPath: root, contentFormat: format.rawValue, payload: payload)
            }
        } catch let error as DeviceRequestError {
            throw error
        } catch {
            throw DeviceRequestError(.invalidRequest, "cannot encode the request as \(format): \(error)")
        }
    }

    /// Interprets the client's answer to `request`.
    public func response(to request: DeviceRequest, _ answer: CoAPResponse, requestedFormat: ContentFormat,
                         rootPath: String) throws(DeviceRequestError) -> DeviceResponse
    {
        guard answer.code.isSuccess else {
            throw DeviceRequestError(
                .deviceError, answer.payloadText.isEmpty ? "client answered \(answer.code)" : answer.payloadText,
                coapCode: answer.code)
        }
        switch request {
        case .read, .discover, .readComposite:
            // Only 2.05 Content carries what was asked for (LwM2M 1.1 Transport §6.3, Table 6.3-1).
            guard answer.code == .content else {
                throw DeviceRequestError(.invalidResponse, "client answered \(answer.code) to a read; expected 2.05")
            }
        case .write, .writeAttributes, .execute, .writeComposite, .create, .delete:
            break  // any 2.xx is success; some clients answer 2.04 where 2.01/2.02 is specified
        }
        let format = answer.contentFormat.map { ContentFormat(rawValue: $0).canonical } ?? requestedFormat
        do {
            switch request {
            case .read(let path):
                return .content(try codecs.decode(answer.payload, format: format, path: path, model: model), format: format)
            case .discover:
                return .links(try LinkFormatCodec().decode(answer.payload, rootPath: rootPath))
            case .readComposite(let paths):
                let nodes = try codecs.decodeNodes(answer.payload, format: format, paths: paths, model: model)
                return .compositeContent(nodes, format: format)
            case .write, .writeAttributes, .execute, .writeComposite:
                return .changed
            case .create(let objectID, let instance):
                let location = answer.locationPath.filter { !$0.isEmpty }
                let rootSegments = rootPath.split(separator: "/").count
                if location.count >= 2, let path = try? LwM2MPath("/" + location.dropFirst(rootSegments).joined(separator: "/")) {
                    return .created(path)
                }
                return .created(try? LwM2MPath(objectID: objectID, instanceID: instance.id))
            case .delete:
                return .deleted
            }
        } catch {
            throw DeviceRequestError(.invalidResponse, "cannot decode the client's \(format) payload: \(error)")
        }
    }

}
