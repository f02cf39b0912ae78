/// One value of a multi-value payload with its resolved path and time.
struct RawLeaf: Sendable {
    /// The resource or resource-instance path.
    var path: LwM2MPath
    /// The resolved time in seconds, `nil` when the payload gave none.
    var time: Double?
    /// The value.
    var value: RawValue
}
