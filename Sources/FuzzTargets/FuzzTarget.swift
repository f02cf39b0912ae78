import Foundation
import LwM2M
import RESTBridge

/// The fuzz targets (issue P8 item 4): each feeds arbitrary bytes to one decoder of untrusted input. Decoding
/// errors are the expected outcome; a finding is a crash, a hang or a sanitizer report. `lwm2m-fuzz` runs one under
/// libFuzzer; the `FuzzTargetsTests` replay the seed corpus and every crash found (`Fuzz/regressions`) through
/// the same `run`, so a fixed crash stays fixed.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case linkFormat = "link-format"
    case tlv
    case senmlJSON = "senml-json"
    case senmlCBOR = "senml-cbor"
    case lwm2mJSON = "lwm2m-json"
    case cbor
    case text
    case ddfXML = "ddf-xml"
    case registrationQuery = "registration-query"
    case restBodies = "rest-bodies"

    /// The object model the decoders type values with (the project's own definitions).
    public static let model: ObjectModelRegistry = ObjectModelRegistry.loadBuiltin().registry

    static let codecs = LwM2MCodecRegistry.standard
    static let paths: [LwM2MPath] = ["/3", "/3/0", "/3/0/0", "/3/0/7", "/3/0/7/1", "/3303/0/5700", "/5/0/1"]
        .compactMap { try? LwM2MPath($0) }

    /// Feeds `bytes` to the target's decoder.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .linkFormat:
            _ = try? LinkFormat.parse(bytes)
            _ = try? RegistrationLinks.parse(bytes)
            _ = try? Self.codecs.decode(bytes, format: .linkFormat, path: Self.paths[1], model: Self.model)
        case .tlv: Self.decode(bytes, .tlv)
        case .senmlJSON:
            _ = try? SenMLPack(json: bytes)
            Self.decode(bytes, .senmlJSON)
        case .senmlCBOR:
            _ = try? SenMLPack(cbor: bytes)
            Self.decode(bytes, .senmlCBOR)
        case .lwm2mJSON: Self.decode(bytes, .lwm2mJSON)
        case .cbor:
            _ = try? CBORDecoder().decode(bytes)
            Self.decode(bytes, .cbor)
        case .text: Self.decode(bytes, .text)
        case .ddfXML:
            _ = try? DDFParser().parse(Data(bytes), file: "fuzz.xml")
        case .registrationQuery:
            // Uri-Query options separated by NUL, then the payload after the first 0xFF (as a CoAP message
            // puts it after its payload marker).
            let split = bytes.firstIndex(of: 0xFF) ?? bytes.endIndex
            let items = bytes[..<split].split(separator: 0, omittingEmptySubsequences: false).map { item in
                let text = String(decoding: item, as: UTF8.self)
                guard let eq = text.firstIndex(of: "=") else { return (key: text, value: String?.none) }
                return (key: String(text[..<eq]), value: String?.some(String(text[text.index(after: eq)...])))
            }
            let payload = split < bytes.endIndex ? Array(bytes[(split + 1)...]) : []
            _ = try? RegisterRequest.parse(query: items, payload: payload, contentFormat: 40)
            _ = try? UpdateRequest.parse(query: items, payload: payload, contentFormat: nil)
        case .restBodies:
            RequestBodyFuzzing.parse(bytes, model: Self.model)
        }
    }

    /// Decodes `bytes` as `format` at every path, as timestamped nodes and as a Send's values.
    private static func decode(_ bytes: [UInt8], _ format: ContentFormat) {
        for path in paths { _ = try? codecs.decode(bytes, format: format, path: path, model: model) }
        _ = try? codecs.decodeValues(bytes, format: format, model: model)
    }
}
