/// An object and its instances keyed by instance id.
public struct LwM2MObject: Sendable, Hashable {
    /// The object id.
    public let id: UInt16
    /// The instances by id.
    public let instances: [UInt16: LwM2MObjectInstance]

    /// Creates an object; throws `duplicateID` for two instances with one id.
    public init(id: UInt16, instances: [LwM2MObjectInstance]) throws(LwM2MCodecError) {
        var byID: [UInt16: LwM2MObjectInstance] = [:]
        for instance in instances {
            guard byID.updateValue(instance, forKey: instance.id) == nil else {
                throw LwM2MCodecError(.duplicateID, "instance \(instance.id) appears twice in object \(id)")
            }
        }
        self.id = id
        self.instances = byID
    }
}
