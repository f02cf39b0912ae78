/// A codec between LwM2M nodes and one content format (Leshan's `NodeEncoder`/`NodeDecoder` pair).
///
/// Implementations are pure value types, listed once in `LwM2MCodecRegistry.standard`: a single-value format
/// in its own folder under `Codec/`; the formats that write each value under its own path share
/// `LeafFormatCodec` and add only their wire side. A codec throws `unsupportedNode` for node kinds its format cannot carry.
public protocol LwM2MNodeCodec: Sendable {
    /// The content format this codec reads and writes.
    var format: ContentFormat { get }

    /// Encodes `node`, which sits at `path`; `model` types the values.
    func encode(_ node: LwM2MNode, at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [UInt8]

    /// Decodes the payload of a response or request about `path` into the node at `path`.
    func decode(_ bytes: [UInt8], at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> LwM2MNode
}

/// A codec whose format carries several paths and timestamps in one payload (SenML JSON/CBOR, LwM2M JSON):
/// Read-Composite, Write-Composite, Observe-Composite, Send and timestamped notifications (LwM2M 1.1 Core §7.4.5).
public protocol LwM2MMultiNodeCodec: LwM2MNodeCodec {
    /// Encodes several nodes, each at its path.
    func encodeNodes(_ nodes: [LwM2MPath: LwM2MNode], model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [UInt8]

    /// Decodes several nodes. With `paths`, every value is grouped under the requested path that contains it
    /// (Read-Composite responses); with `nil`, every value becomes its own resource or resource-instance node.
    func decodeNodes(_ bytes: [UInt8], paths: [LwM2MPath]?, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [LwM2MPath: LwM2MNode]

    /// Encodes groups of nodes, each group with its own timestamp.
    func encodeTimestamped(_ groups: [TimestampedNodes], model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [UInt8]

    /// Decodes a timestamped payload into one group per distinct timestamp, newest first, untimed values first of
    /// all; `paths` groups values as in `decodeNodes`.
    func decodeTimestamped(_ bytes: [UInt8], paths: [LwM2MPath]?, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [TimestampedNodes]

    /// Decodes a payload straight into its values with their times, without building nodes: what
    /// `decodeTimestamped` with `paths` `nil` checks and yields, flattened (untimed first, then newest first; path
    /// order within one time). Reports (notifications, Send) go this way: decoded once, stored as values.
    func decodeValues(_ bytes: [UInt8], model: any ObjectModelProvider) throws(LwM2MCodecError) -> [ReportedValue]
}
