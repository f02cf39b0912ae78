/// The path list of a Read-Composite or Observe-Composite request (LwM2M 1.1 Core §6.3.8, §7.4.5): a SenML pack
/// whose records carry names only (`[{"n":"/3/0/1"},{"n":"/1"}]`), in SenML JSON or SenML CBOR.
public enum SenMLPathList {
    /// Encodes `paths` as records with only a name, in `format` (SenML JSON or SenML CBOR); throws
    /// `unsupportedContentFormat` for any other format.
    public static func encode(_ paths: [LwM2MPath], format: ContentFormat) throws(LwM2MCodecError) -> [UInt8] {
        let pack = SenMLPack(records: paths.map { SenMLRecord(name: $0.description) })
        switch format.canonical {
        case .senmlJSON: return try pack.jsonBytes()
        case .senmlCBOR: return pack.cborBytes()
        default: throw LwM2MCodecError(.unsupportedContentFormat, "\(format) cannot carry a composite path list")
        }
    }

    /// Decodes the paths of a SenML JSON or CBOR pack in document order, base names resolved (RFC 8428 §4.6);
    /// values, if any, are ignored. Throws `malformed` for a broken pack, `invalidPath` for a name that is not a
    /// path, `unsupportedContentFormat` for another format.
    public static func decode(_ bytes: [UInt8], format: ContentFormat) throws(LwM2MCodecError) -> [LwM2MPath] {
        let pack: SenMLPack
        switch format.canonical {
        case .senmlJSON: pack = try SenMLPack(json: bytes)
        case .senmlCBOR: pack = try SenMLPack(cbor: bytes)
        default: throw LwM2MCodecError(.unsupportedContentFormat, "\(format) cannot carry a composite path list")
        }
        var paths: [LwM2MPath] = []
        for record in try pack.resolved() {
            paths.append(try LwM2MPath(record.name))
        }
        return paths
    }
}
