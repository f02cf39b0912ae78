/// A resource of an object instance: a single-instance resource with one value, or a multiple-instance
/// resource with values keyed by resource-instance id (LwM2M 1.1 Core Appendix C, "Multiple Instances").
public struct LwM2MResource: Sendable, Hashable {
    /// The two shapes a resource can take.
    public enum Content: Sendable, Hashable {
        /// A single-instance resource and its value.
        case single(LwM2MValue)
        /// A multiple-instance resource: values by resource-instance id, possibly none.
        case multiple([UInt16: LwM2MValue])
    }

    /// The resource id.
    public let id: UInt16
    /// The data type of the value or of every instance.
    public let type: ResourceDataType
    /// The value or the instances.
    public let content: Content

    /// A single-instance resource; its type is the value's type.
    public static func single(id: UInt16, value: LwM2MValue) -> LwM2MResource {
        LwM2MResource(id: id, type: value.dataType, content: .single(value))
    }

    /// A multiple-instance resource; throws `typeMismatch` when an instance is not of `type`.
    public static func multiple(id: UInt16, type: ResourceDataType, instances: [UInt16: LwM2MValue])
        throws(LwM2MCodecError) -> LwM2MResource
    {
        for (instanceID, value) in instances where value.dataType != type {
            throw LwM2MCodecError(
                .typeMismatch,
                "instance \(instanceID) of multiple resource \(id) is \(value.dataType.rawValue), expected \(type.rawValue)")
        }
        return LwM2MResource(id: id, type: type, content: .multiple(instances))
    }

    private init(id: UInt16, type: ResourceDataType, content: Content) {
        self.id = id
        self.type = type
        self.content = content
    }

    /// Whether this is a multiple-instance resource.
    public var isMultiple: Bool {
        switch content {
        case .single: false
        case .multiple: true
        }
    }

    /// The value of a single-instance resource, `nil` for a multiple one.
    public var value: LwM2MValue? {
        switch content {
        case .single(let value): value
        case .multiple: nil
        }
    }

    /// The instances of a multiple-instance resource, `nil` for a single one.
    public var instances: [UInt16: LwM2MValue]? {
        switch content {
        case .single: nil
        case .multiple(let instances): instances
        }
    }
}
