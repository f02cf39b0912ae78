/// Types raw payload values with the object model and checks values against it; shared by every codec.
enum ValueTyping {
    /// The declared type of the resource at `path` (depth 3 or 4), or `nil` when object or resource is unknown.
    static func declaredType(at path: LwM2MPath, model: any ObjectModelProvider) -> ResourceDataType? {
        guard let objectID = path.objectID, let resourceID = path.resourceID else { return nil }
        return model.resource(objectID, resourceID)?.type
    }

    /// The declared definition of the resource at `path` (depth 3 or 4), or `nil`.
    static func definition(at path: LwM2MPath, model: any ObjectModelProvider) -> ResourceDefinition? {
        guard let objectID = path.objectID, let resourceID = path.resourceID else { return nil }
        return model.resource(objectID, resourceID)
    }

    /// Throws `typeMismatch` when the model declares a different type for `path` than `value` has, or declares
    /// the resource executable.
    static func check(_ value: LwM2MValue, at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError) {
        guard let declared = declaredType(at: path, model: model) else { return }
        guard declared == value.dataType else {
            throw LwM2MCodecError(
                .typeMismatch,
                "resource is \(declared.rawValue) in the object model but the value is \(value.dataType.rawValue)",
                path: path)
        }
    }

    /// Types a raw value: as the model declares, or from the raw kind when the resource is unknown.
    /// `opaqueFromString` lets a base64 string stand for opaque data (LwM2M JSON has no data field).
    static func value(
        from raw: RawValue, at path: LwM2MPath, model: any ObjectModelProvider, opaqueFromString: Bool
    ) throws(LwM2MCodecError) -> LwM2MValue {
        guard let declared = declaredType(at: path, model: model) else { return try untyped(raw, at: path) }
        let mismatch = LwM2MCodecError(
            .typeMismatch,
            "resource is \(declared.rawValue) in the object model but the payload carries a \(raw.kindName) value",
            path: path)
        switch declared {
        case .string:
            guard case .string(let text) = raw else { throw mismatch }
            return try LwM2MValue.decodedString(text, at: path)
        case .integer:
            guard case .number(let number) = raw else { throw mismatch }
            guard let value = number.exactInt64 else { throw outOfRange(number, declared, path) }
            return .integer(value)
        case .unsignedInteger:
            guard case .number(let number) = raw else { throw mismatch }
            guard let value = number.exactUInt64 else { throw outOfRange(number, declared, path) }
            return .unsignedInteger(value)
        case .float:
            guard case .number(let number) = raw else { throw mismatch }
            return .float(number.doubleValue)
        case .time:
            guard case .number(let number) = raw else { throw mismatch }
            guard let value = number.exactInt64 else { throw outOfRange(number, declared, path) }
            return .time(value)
        case .boolean:
            guard case .boolean(let flag) = raw else { throw mismatch }
            return .boolean(flag)
        case .opaque:
            if case .bytes(let bytes) = raw { return .opaque(bytes) }
            guard opaqueFromString, case .string(let text) = raw else { throw mismatch }
            guard let bytes = Base64.decode(text) else {
                throw LwM2MCodecError(.invalidValue, "opaque value is not base64", path: path)
            }
            return .opaque(bytes)
        case .objlnk:
            guard case .objlnk(let text) = raw else { throw mismatch }
            return try annotating(path) { () throws(LwM2MCodecError) in try LwM2MValue.parseObjlnk(text) }
        case .corelnk:
            guard case .string(let text) = raw else { throw mismatch }
            return try annotating(path) { () throws(LwM2MCodecError) in try LwM2MValue.parseCorelnk(text) }
        case .none:
            throw LwM2MCodecError(.typeMismatch, "resource is executable and has no value", path: path)
        }
    }

    /// Types a value of a resource the model does not know, from the raw kind alone.
    private static func untyped(_ raw: RawValue, at path: LwM2MPath) throws(LwM2MCodecError) -> LwM2MValue {
        switch raw {
        case .number(.integer(let value)): .integer(value)
        case .number(.unsigned(let value)): .unsignedInteger(value)
        case .number(.float(let value)): .float(value)
        case .string(let text): try LwM2MValue.decodedString(text, at: path)
        case .boolean(let flag): .boolean(flag)
        case .bytes(let bytes): .opaque(bytes)
        case .objlnk(let text): try annotating(path) { () throws(LwM2MCodecError) in try LwM2MValue.parseObjlnk(text) }
        }
    }

    /// The raw form of a value for a multi-value format; `opaqueAsString` writes opaque data as base64.
    static func raw(from value: LwM2MValue, opaqueAsString: Bool) throws(LwM2MCodecError) -> RawValue {
        switch value {
        case .string(let text): return .string(text)
        case .integer(let number): return .number(.integer(number))
        case .unsignedInteger(let number): return .number(.fromUnsigned(number))
        case .float(let number):
            guard number.isFinite else {
                throw LwM2MCodecError(.invalidValue, "\(number) cannot be encoded in this format")
            }
            return .number(.float(number))
        case .boolean(let flag): return .boolean(flag)
        case .opaque(let bytes):
            return opaqueAsString ? .string(Base64.encode(bytes, urlSafe: false, padding: true)) : .bytes(bytes)
        case .time(let seconds): return .number(.integer(seconds))
        case .objlnk(let objectID, let instanceID): return .objlnk(LwM2MValue.objlnkText(objectID, instanceID))
        case .corelnk(let links): return .string(LinkFormat.serialize(links))
        }
    }

    private static func outOfRange(_ number: WireNumber, _ type: ResourceDataType, _ path: LwM2MPath)
        -> LwM2MCodecError
    {
        LwM2MCodecError(.invalidValue, "\(number) is not a valid \(type.rawValue) value", path: path)
    }
}
