/// Shared rules of the single-value formats (plain text, opaque, CBOR): they carry one value, so only a
/// single-instance resource or a resource instance (LwM2M 1.1 Core §7.4).
enum SingleValueSupport {
    /// The value of `node`; throws `unsupportedNode` for objects, instances and multiple resources.
    static func value(of node: LwM2MNode, at path: LwM2MPath, format: ContentFormat) throws(LwM2MCodecError)
        -> LwM2MValue
    {
        try node.validate(at: path)
        switch node {
        case .resource(let resource):
            guard let value = resource.value else { throw unsupported(node, format, path) }
            return value
        case .resourceInstance(let instance):
            return instance.value
        case .object, .objectInstance:
            throw unsupported(node, format, path)
        }
    }

    /// Throws `unsupportedNode` unless `path` is a resource instance or a resource the model does not declare
    /// multiple-instance.
    static func checkDecodable(at path: LwM2MPath, format: ContentFormat, model: any ObjectModelProvider)
        throws(LwM2MCodecError)
    {
        guard path.isResource || path.isResourceInstance else {
            throw LwM2MCodecError(.unsupportedNode, "\(format) carries only a single resource or resource instance",
                                  path: path)
        }
        if path.isResource, ValueTyping.definition(at: path, model: model)?.multiple == true {
            throw LwM2MCodecError(.unsupportedNode, "\(format) cannot carry a multiple-instance resource", path: path)
        }
    }

    /// The node for a decoded value at `path` (depth 3 or 4).
    static func node(_ value: LwM2MValue, at path: LwM2MPath) -> LwM2MNode {
        let id = path.ids[path.depth - 1]
        return path.isResourceInstance
            ? .resourceInstance(LwM2MResourceInstance(id: id, value: value))
            : .singleResource(id: id, value: value)
    }

    private static func unsupported(_ node: LwM2MNode, _ format: ContentFormat, _ path: LwM2MPath) -> LwM2MCodecError {
        LwM2MCodecError(.unsupportedNode, "\(format) cannot carry a \(node.kindName)", path: path)
    }
}
