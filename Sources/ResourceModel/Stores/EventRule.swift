/// A rule turning values of one report into an event: the values of the listed resource types become one
/// `event` of type `name` (e.g. `environment` for `3303/5700`, `3304/5700`, `3315/5700`).
public struct EventRule: Sendable, Equatable {
    /// The rule's unique name, also the type of the events it makes.
    public var name: String
    /// The resource types whose values the rule collects, sorted, without duplicates.
    public var resourceTypes: [ResourceTypeKey]

    /// Creates a rule (sorts and deduplicates `resourceTypes`).
    public init(name: String, resourceTypes: [ResourceTypeKey]) {
        self.name = name
        self.resourceTypes = Array(Set(resourceTypes)).sorted()
    }

    /// Whether a value of `key` belongs to this rule's events.
    public func matches(_ key: ResourceTypeKey) -> Bool {
        resourceTypes.contains(key)
    }
}
