import ArgumentParser
import LwM2M

/// The content format a simulated LwM2M 1.1/1.2 device announces with `ct=` on its root link and answers Reads
/// in by default (LwM2M 1.1 Core §6.2.1, §7.4).
enum SimulatedFormat: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// TLV (11542).
    case tlv
    /// SenML JSON (110).
    case senmlJSON = "senml-json"
    /// SenML CBOR (112).
    case senmlCBOR = "senml-cbor"

    /// The content format.
    var contentFormat: ContentFormat {
        switch self {
        case .tlv: .tlv
        case .senmlJSON: .senmlJSON
        case .senmlCBOR: .senmlCBOR
        }
    }

    /// What a device of `version` announces: nothing for LwM2M 1.0, else `chosen` (SenML CBOR by default).
    static func announced(by version: LwM2MVersion, chosen: SimulatedFormat?) -> [ContentFormat] {
        switch version {
        case .v1_0: []
        case .v1_1, .v1_2: [(chosen ?? .senmlCBOR).contentFormat]
        }
    }
}
