/// A value as a multi-value format carries it, before the object model types it (SenML `v`/`vs`/`vb`/`vd`/`vlo`,
/// LwM2M JSON `v`/`sv`/`bv`/`ov`).
enum RawValue: Sendable, Hashable {
    /// A number (`v`).
    case number(WireNumber)
    /// A string (`vs`, `sv`).
    case string(String)
    /// A boolean (`vb`, `bv`).
    case boolean(Bool)
    /// Binary data (`vd`).
    case bytes([UInt8])
    /// An object link in `"o:i"` form (`vlo`, `ov`).
    case objlnk(String)

    /// A name for messages.
    var kindName: String {
        switch self {
        case .number: "number"
        case .string: "string"
        case .boolean: "boolean"
        case .bytes: "data"
        case .objlnk: "object link"
        }
    }
}
