/// One instance of a multiple-instance resource, addressed as `/o/i/r/ri` (LwM2M 1.1).
public struct LwM2MResourceInstance: Sendable, Hashable {
    /// The resource-instance id.
    public let id: UInt16
    /// The value.
    public let value: LwM2MValue

    /// Creates a resource instance.
    public init(id: UInt16, value: LwM2MValue) {
        self.id = id
        self.value = value
    }
}
