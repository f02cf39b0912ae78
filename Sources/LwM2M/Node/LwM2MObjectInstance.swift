/// An object instance and its resources keyed by resource id.
public struct LwM2MObjectInstance: Sendable, Hashable {
    /// The instance id, 0...65534.
    public let id: UInt16
    /// The resources by id.
    public let resources: [UInt16: LwM2MResource]

    /// Creates an instance; throws `invalidPath` for id 65535 (reserved) and `duplicateID` for two resources with one id.
    public init(id: UInt16, resources: [LwM2MResource]) throws(LwM2MCodecError) {
        guard id != LwM2MPath.maxID else {
            throw LwM2MCodecError(.invalidPath, "object instance id 65535 (MAX_ID) is reserved")
        }
        var byID: [UInt16: LwM2MResource] = [:]
        for resource in resources {
            guard byID.updateValue(resource, forKey: resource.id) == nil else {
                throw LwM2MCodecError(.duplicateID, "resource \(resource.id) appears twice in instance \(id)")
            }
        }
        self.id = id
        self.resources = byID
    }
}
