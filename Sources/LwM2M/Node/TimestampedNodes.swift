/// Nodes that share one timestamp, from a timestamped SenML or LwM2M JSON payload (Send, notifications;
/// LwM2M 1.1 Core §7.4.5): Leshan's `TimestampedLwM2mNodes` for one instant.
public struct TimestampedNodes: Sendable, Hashable {
    /// Seconds since the Unix epoch as resolved from the payload (`bt + t`), or `nil` when it carried no time.
    ///
    /// Codecs have no clock: a SenML time below 2^28 means "relative to now" (RFC 8428 §4.5.3) and is returned
    /// as it is; the caller that knows the reception time resolves it.
    public var timestamp: Double?
    /// The nodes by path.
    public var nodes: [LwM2MPath: LwM2MNode]

    /// Creates a group.
    public init(timestamp: Double?, nodes: [LwM2MPath: LwM2MNode]) {
        self.timestamp = timestamp
        self.nodes = nodes
    }
}
