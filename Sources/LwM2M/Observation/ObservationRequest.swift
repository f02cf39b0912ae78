/// What to observe: one path each, or several in one composite observation (LwM2M 1.1 Core §6.4).
public struct ObservationRequest: Sendable, Equatable, Hashable {
    /// The paths.
    public var paths: [LwM2MPath]
    /// Whether the paths form one composite observation.
    public var composite: Bool
    /// Attributes to write to each path before observing.
    public var attributes: NotificationAttributes?

    /// Creates a request.
    public init(paths: [LwM2MPath], composite: Bool = false, attributes: NotificationAttributes? = nil) {
        self.paths = paths
        self.composite = composite
        self.attributes = attributes
    }
}

