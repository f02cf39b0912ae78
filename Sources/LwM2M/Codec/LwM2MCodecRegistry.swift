/// The encoder/decoder front: one codec per content format, looked up by format (Leshan's
/// `DefaultLwM2mEncoder`/`DefaultLwM2mDecoder`). Adding a format is one new folder under `Codec/` and one line
/// in `standard`.
///
/// Legacy content-format numbers (1541-1544) resolve to the registered format's codec (see `ContentFormat`).
/// Link format (40) is not a node format: Discover payloads go through `LinkFormatCodec`.
public struct LwM2MCodecRegistry: Sendable {
    /// The codecs by (canonical) content format.
    private let codecs: [ContentFormat: any LwM2MNodeCodec]

    /// A registry of the given codecs; a later codec for the same format replaces an earlier one.
    public init(codecs: [any LwM2MNodeCodec]) {
        var byFormat: [ContentFormat: any LwM2MNodeCodec] = [:]
        for codec in codecs { byFormat[codec.format.canonical] = codec }
        self.codecs = byFormat
    }

    /// Every node format this package implements.
    public static let standard = LwM2MCodecRegistry(codecs: [
        TextCodec(),
        OpaqueCodec(),
        CBORCodec(),
        TLVCodec(),
        LeafFormatCodec.lwm2mJSON,
        LeafFormatCodec.senmlJSON,
        LeafFormatCodec.senmlCBOR,
    ])

    /// The registered formats, ascending.
    public var supportedFormats: [ContentFormat] {
        codecs.keys.sorted { $0.rawValue < $1.rawValue }
    }

    /// The codec for `format` (legacy numbers resolved), or `nil`.
    public func codec(for format: ContentFormat) -> (any LwM2MNodeCodec)? {
        codecs[format.canonical]
    }

    /// Encodes `node` at `path` in `format`; checks that the node fits the path first.
    public func encode(_ node: LwM2MNode, at path: LwM2MPath, format: ContentFormat, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [UInt8]
    {
        try node.validate(at: path)
        return try requireCodec(format).encode(node, at: path, model: model)
    }

    /// Decodes `bytes` in `format` into the node at `path`.
    public func decode(_ bytes: [UInt8], format: ContentFormat, path: LwM2MPath, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> LwM2MNode
    {
        guard !path.isRoot else {
            throw LwM2MCodecError(.unsupportedNode, "the root path cannot be decoded as one node", path: path)
        }
        return try requireCodec(format).decode(bytes, at: path, model: model)
    }

    /// Encodes several nodes by path (Read-Composite/Write-Composite; SenML and LwM2M JSON only).
    public func encodeNodes(_ nodes: [LwM2MPath: LwM2MNode], format: ContentFormat, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [UInt8]
    {
        for (path, node) in nodes { try node.validate(at: path) }
        return try requireMultiCodec(format).encodeNodes(nodes, model: model)
    }

    /// Decodes several nodes by path (see `LwM2MMultiNodeCodec.decodeNodes`).
    public func decodeNodes(
        _ bytes: [UInt8], format: ContentFormat, paths: [LwM2MPath]? = nil, model: any ObjectModelProvider
    ) throws(LwM2MCodecError) -> [LwM2MPath: LwM2MNode] {
        try requireMultiCodec(format).decodeNodes(bytes, paths: paths, model: model)
    }

    /// Encodes timestamped groups of nodes (Send, timestamped notifications).
    public func encodeTimestamped(_ groups: [TimestampedNodes], format: ContentFormat, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [UInt8]
    {
        for group in groups {
            for (path, node) in group.nodes { try node.validate(at: path) }
        }
        return try requireMultiCodec(format).encodeTimestamped(groups, model: model)
    }

    /// Decodes a timestamped payload (see `LwM2MMultiNodeCodec.decodeTimestamped`).
    public func decodeTimestamped(
        _ bytes: [UInt8], format: ContentFormat, paths: [LwM2MPath]? = nil, model: any ObjectModelProvider
    ) throws(LwM2MCodecError) -> [TimestampedNodes] {
        try requireMultiCodec(format).decodeTimestamped(bytes, paths: paths, model: model)
    }

    /// Decodes a multi-value payload straight into values (see `LwM2MMultiNodeCodec.decodeValues`).
    public func decodeValues(_ bytes: [UInt8], format: ContentFormat, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [ReportedValue]
    {
        try requireMultiCodec(format).decodeValues(bytes, model: model)
    }

    private func requireCodec(_ format: ContentFormat) throws(LwM2MCodecError) -> any LwM2MNodeCodec {
        guard let codec = codec(for: format) else {
            throw LwM2MCodecError(.unsupportedContentFormat, "no node codec for \(format)")
        }
        return codec
    }

    private func requireMultiCodec(_ format: ContentFormat) throws(LwM2MCodecError) -> any LwM2MMultiNodeCodec {
        guard let codec = try requireCodec(format) as? any LwM2MMultiNodeCodec else {
            throw LwM2MCodecError(.unsupportedContentFormat, "\(format) carries one node per payload")
        }
        return codec
    }
}
