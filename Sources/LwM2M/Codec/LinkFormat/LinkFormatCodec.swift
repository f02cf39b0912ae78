/// The link-format codec (40, RFC 6690) for Discover payloads (LwM2M 1.0 Core §5.4.2): lists of paths with
/// attributes, on top of the shared `LinkFormat` parser/serializer. It is not a node codec, so it is not in
/// `LwM2MCodecRegistry`.
public struct LinkFormatCodec: Sendable {
    /// Creates the codec.
    public init() {}

    /// `ContentFormat.linkFormat`.
    public var format: ContentFormat { .linkFormat }

    /// Serializes links; `rootPath` (the client's alternate path, `/` by default) prefixes every target.
    public func encode(_ links: [LwM2MLink], rootPath: String = "/") -> [UInt8] {
        let prefix = Self.prefix(rootPath)
        let webLinks = links.map { link in
            WebLink(target: prefix + link.path.description, parameters: link.attributes)
        }
        return Array(LinkFormat.serialize(webLinks).utf8)
    }

    /// Parses a Discover response; targets must be LwM2M paths under `rootPath`. Throws `malformed` for
    /// invalid link format and `invalidPath` for a target that is not a path.
    public func decode(_ bytes: [UInt8], rootPath: String = "/") throws(LwM2MCodecError) -> [LwM2MLink] {
        let webLinks: [WebLink]
        do {
            webLinks = try LinkFormat.parse(bytes)
        } catch {
            throw LwM2MCodecError(.malformed, error.reason, offset: error.offset)
        }
        let prefix = Self.prefix(rootPath)
        var links: [LwM2MLink] = []
        for webLink in webLinks {
            guard webLink.target.hasPrefix(prefix) else {
                throw LwM2MCodecError(.invalidPath, "link target '\(webLink.target.prefix(64))' is not under '\(rootPath)'")
            }
            let rest = String(webLink.target.dropFirst(prefix.count))
            let path = rest.isEmpty ? LwM2MPath.root : try LwM2MPath(rest)
            links.append(LwM2MLink(path: path, attributes: webLink.parameters))
        }
        return links
    }

    /// The links a client lists when discovering `node` at `path`: the node itself and every descendant down to
    /// resources, each with its attributes from `attributes`, and `dim` on multiple resources.
    public static func discoverLinks(for node: LwM2MNode, at path: LwM2MPath,
                                     attributes: [LwM2MPath: [LinkParameter]] = [:]) -> [LwM2MLink]
    {
        var links: [LwM2MLink] = []
        func add(_ path: LwM2MPath, dimension: Int? = nil) {
            var parameters = attributes[path] ?? []
            if let dimension, !parameters.contains(where: { $0.name == "dim" }) {
                parameters.insert(LinkParameter(name: "dim", value: String(dimension)), at: 0)
            }
            links.append(LwM2MLink(path: path, attributes: parameters))
        }
        func addResources(of instance: LwM2MObjectInstance, at path: LwM2MPath) {
            for resourceID in instance.resources.keys.sorted() {
                add(NodeAssembler.child(path, resourceID), dimension: instance.resources[resourceID]!.instances?.count)
            }
        }
        add(path, dimension: {
            if case .resource(let resource) = node { return resource.instances?.count }
            return nil
        }())
        switch node {
        case .object(let object):
            for instanceID in object.instances.keys.sorted() {
                let instancePath = NodeAssembler.child(path, instanceID)
                add(instancePath)
                addResources(of: object.instances[instanceID]!, at: instancePath)
            }
        case .objectInstance(let instance):
            addResources(of: instance, at: path)
        case .resource, .resourceInstance:
            break
        }
        return links
    }

    /// The target prefix for a root path: `""` for `/`, else the path without a trailing `/`.
    private static func prefix(_ rootPath: String) -> String {
        var prefix = Substring(rootPath)
        while prefix.hasSuffix("/") { prefix = prefix.dropLast() }
        return String(prefix)
    }
}
