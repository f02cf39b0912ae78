/// The codec of every format that writes each value under its own path (LwM2M 1.1 Core §7.4.5): SenML JSON
/// (110), SenML CBOR (112) and LwM2M JSON (11543). They differ only in their wire side (`LeafPayloadFormat`:
/// bytes ↔ leaves with resolved names and times); the node mapping, the model checks and the timestamp
/// grouping are shared, so this one type carries every node kind, several paths and timestamps for all three.
public struct LeafFormatCodec: LwM2MMultiNodeCodec {
    /// The format this codec reads and writes.
    public let format: ContentFormat
    private let wire: any LeafPayloadFormat

    init(format: ContentFormat, wire: any LeafPayloadFormat) {
        self.format = format
        self.wire = wire
    }

    /// SenML JSON (110, RFC 8428 §5, LwM2M 1.1 Core §7.4.5).
    public static let senmlJSON = LeafFormatCodec(format: .senmlJSON, wire: SenMLJSONWire())
    /// SenML CBOR (112, RFC 8428 §6, LwM2M 1.1 Core §7.4.6).
    public static let senmlCBOR = LeafFormatCodec(format: .senmlCBOR, wire: SenMLCBORWire())
    /// LwM2M JSON (11543, LwM2M 1.0 Core §6.4.4; kept in LwM2M 1.1 Core §7.4.4).
    public static let lwm2mJSON = LeafFormatCodec(format: .lwm2mJSON, wire: LwM2MJSONWire())

    /// Encodes a node at `path`.
    public func encode(_ node: LwM2MNode, at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [UInt8]
    {
        try wire.encodeNode(node, at: path, model: model)
    }

    /// Decodes the node at `path`.
    public func decode(_ bytes: [UInt8], at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> LwM2MNode
    {
        try wire.decodeNode(bytes, at: path, model: model)
    }

    /// Encodes several nodes.
    public func encodeNodes(_ nodes: [LwM2MPath: LwM2MNode], model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [UInt8]
    {
        try wire.encodeNodeMap(nodes, model: model)
    }

    /// Decodes several nodes.
    public func decodeNodes(_ bytes: [UInt8], paths: [LwM2MPath]?, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [LwM2MPath: LwM2MNode]
    {
        try wire.decodeNodeMap(bytes, paths: paths, model: model)
    }

    /// Encodes timestamped groups.
    public func encodeTimestamped(_ groups: [TimestampedNodes], model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [UInt8]
    {
        try wire.encodeTimestampedGroups(groups, model: model)
    }

    /// Decodes a timestamped payload.
    public func decodeTimestamped(_ bytes: [UInt8], paths: [LwM2MPath]?, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [TimestampedNodes]
    {
        try wire.decodeTimestampedGroups(bytes, paths: paths, model: model)
    }

    /// Decodes a payload straight into its values, without building nodes.
    public func decodeValues(_ bytes: [UInt8], model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [ReportedValue]
    {
        try wire.decodeTimedValues(bytes, model: model)
    }
}
