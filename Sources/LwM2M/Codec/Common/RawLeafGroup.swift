/// Values to serialize under one base path and one time.
struct RawLeafGroup: Sendable {
    /// The path of the encoded node; names are written relative to it.
    var base: LwM2MPath
    /// The time of every value of the group, or `nil`.
    var time: Double?
    /// The values, in path order.
    var leaves: [(path: LwM2MPath, value: RawValue)]

    /// The base name and the relative name of `leaf`: `("/3/0/", "6/1")`, or `("/3/0/1", nil)` when the leaf is
    /// the base itself (LwM2M 1.1 Core §7.4.5 examples).
    static func names(of leaf: LwM2MPath, base: LwM2MPath) -> (baseName: String, name: String?) {
        if leaf == base { return (base.description, nil) }
        let baseName = base.isRoot ? "/" : base.description + "/"
        let relative = leaf.ids.dropFirst(base.depth).map(String.init).joined(separator: "/")
        return (baseName, relative)
    }
}
