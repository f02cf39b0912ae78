/// The opaque codec (42, LwM2M 1.1 Core §7.4.2): the raw bytes of one opaque resource or resource instance.
/// Values of resources the model does not know decode as opaque; a declared non-opaque type is `typeMismatch`.
public struct OpaqueCodec: LwM2MNodeCodec {
    /// Creates the codec.
    public init() {}

    /// `ContentFormat.opaque`.
    public var format: ContentFormat { .opaque }

    /// Encodes an opaque single resource or resource instance.
    public func encode(_ node: LwM2MNode, at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [UInt8]
    {
        let value = try SingleValueSupport.value(of: node, at: path, format: format)
        try ValueTyping.check(value, at: path, model: model)
        guard case .opaque(let bytes) = value else {
            throw LwM2MCodecError(.typeMismatch, "\(format) carries only opaque values, not \(value.dataType.rawValue)",
                                  path: path)
        }
        return bytes
    }

    /// Decodes the bytes as the opaque value at `path`.
    public func decode(_ bytes: [UInt8], at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> LwM2MNode
    {
        try SingleValueSupport.checkDecodable(at: path, format: format, model: model)
        if let declared = ValueTyping.declaredType(at: path, model: model), declared != .opaque {
            throw LwM2MCodecError(.typeMismatch, "resource is \(declared.rawValue), \(format) carries only opaque values",
                                  path: path)
        }
        return SingleValueSupport.node(.opaque(bytes), at: path)
    }
}
