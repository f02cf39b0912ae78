/// One link of a Discover response (LwM2M 1.0 Core §5.4.2, LwM2M 1.1 Core Discover): a path and its
/// attributes, e.g. `</3/0/1>;pmin=10` or `</3/0/7>;dim=2`.
public struct LwM2MLink: Sendable, Hashable {
    /// The object, instance, resource or resource-instance path.
    public var path: LwM2MPath
    /// The attributes in document order (`pmin`, `pmax`, `gt`, `lt`, `st`, `dim`, `ver`, …).
    public var attributes: [LinkParameter]

    /// Creates a link.
    public init(path: LwM2MPath, attributes: [LinkParameter] = []) {
        self.path = path
        self.attributes = attributes
    }

    /// The value of the first attribute named `name` (`""` when present without a value), or `nil`.
    public subscript(name: String) -> String? {
        guard let attribute = attributes.first(where: { $0.name == name }) else { return nil }
        return attribute.value ?? ""
    }

    /// The `dim` attribute: the number of instances of a multiple resource, when present and numeric.
    public var dimension: Int? {
        self["dim"].flatMap { Int($0) }
    }
}
