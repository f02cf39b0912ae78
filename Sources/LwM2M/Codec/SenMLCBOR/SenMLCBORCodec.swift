/// The SenML CBOR codec (112, RFC 8428 §6, LwM2M 1.1 Core §7.4.6): `SenMLPack` CBOR serialization (own CBOR codec) plus the
/// shared `SenMLNodeMapper`. Carries every node kind, several paths and timestamps.
public struct SenMLCBORCodec: LwM2MMultiNodeCodec {
    /// Creates the codec.
    public init() {}

    /// `ContentFormat.senmlCBOR`.
    public var format: ContentFormat { .senmlCBOR }

    /// Encodes a node at `path`.
    public func encode(_ node: LwM2MNode, at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [UInt8]
    {
        try Format().encodeNode(node, at: path, model: model)
    }

    /// Decodes the node at `path`.
    public func decode(_ bytes: [UInt8], at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> LwM2MNode
    {
        try Format().decodeNode(bytes, at: path, model: model)
    }

    /// Encodes several nodes.
    public func encodeNodes(_ nodes: [LwM2MPath: LwM2MNode], model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [UInt8]
    {
        try Format().encodeNodeMap(nodes, model: model)
    }

    /// Decodes several nodes.
    public func decodeNodes(_ bytes: [UInt8], paths: [LwM2MPath]?, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [LwM2MPath: LwM2MNode]
    {
        try Format().decodeNodeMap(bytes, paths: paths, model: model)
    }

    /// Encodes timestamped groups.
    public func encodeTimestamped(_ groups: [TimestampedNodes], model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [UInt8]
    {
        try Format().encodeTimestampedGroups(groups, model: model)
    }

    /// Decodes a timestamped payload.
    public func decodeTimestamped(_ bytes: [UInt8], paths: [LwM2MPath]?, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [TimestampedNodes]
    {
        try Format().decodeTimestampedGroups(bytes, paths: paths, model: model)
    }

    /// The wire side: SenML CBOR bytes ↔ leaves.
    private struct Format: LeafPayloadFormat {
        var opaqueAsString: Bool { false }

        func parseLeaves(_ bytes: [UInt8]) throws(LwM2MCodecError) -> [RawLeaf] {
            try SenMLNodeMapper.leaves(of: try SenMLPack(cbor: bytes))
        }

        func serializeLeaves(_ groups: [RawLeafGroup]) throws(LwM2MCodecError) -> [UInt8] {
            SenMLNodeMapper.pack(for: groups).cborBytes()
        }
    }
}
