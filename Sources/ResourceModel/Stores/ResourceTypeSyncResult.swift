/// What `EndpointStore.syncResourceTypes(from:)` did.
public struct ResourceTypeSyncResult: Sendable, Equatable {
    /// Types added for resources the store did not have.
    public var inserted = 0
    /// Types whose name, type, units, multiplicity, mandatory flag or operations changed.
    public var updated = 0
    /// Types already up to date.
    public var unchanged = 0

    /// Creates a result.
    public init(inserted: Int = 0, updated: Int = 0, unchanged: Int = 0) {
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
    }
}
