/// A CoAP Content-Format number (RFC 7252 §12.3) as used by LwM2M (LwM2M 1.1 Core §7.4 data formats).
///
/// Legacy numbers: before IANA registration, LwM2M 1.0 drafts used 1541 (plain text), 1542 (TLV), 1543 (JSON)
/// and 1544 (opaque); the released LwM2M 1.0 uses 0, 11542, 11543 and 42 instead. Old clients still send them:
/// Wakaama and Leshan accept 1542/1543 "for backward compatibility", Contiki-NG and Zephyr define all four.
/// `canonical` maps each to its registered equivalent, so the registry decodes them with the same codec.
/// Encoders always produce the registered formats; choosing the number to put on the wire is the caller's.
public struct ContentFormat: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The Content-Format number.
    public let rawValue: UInt16

    /// Creates a content format from its number.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// `text/plain;charset=utf-8` (0), single values only.
    public static let text = ContentFormat(rawValue: 0)
    /// `application/link-format` (40), Discover responses.
    public static let linkFormat = ContentFormat(rawValue: 40)
    /// `application/octet-stream` (42), single opaque values.
    public static let opaque = ContentFormat(rawValue: 42)
    /// `application/cbor` (60), single values.
    public static let cbor = ContentFormat(rawValue: 60)
    /// `application/senml+json` (110).
    public static let senmlJSON = ContentFormat(rawValue: 110)
    /// `application/senml+cbor` (112).
    public static let senmlCBOR = ContentFormat(rawValue: 112)
    /// `application/vnd.oma.lwm2m+tlv` (11542).
    public static let tlv = ContentFormat(rawValue: 11542)
    /// `application/vnd.oma.lwm2m+json` (11543), LwM2M 1.0 JSON.
    public static let lwm2mJSON = ContentFormat(rawValue: 11543)

    /// Pre-registration plain text (1541).
    public static let legacyText = ContentFormat(rawValue: 1541)
    /// Pre-registration TLV (1542).
    public static let legacyTLV = ContentFormat(rawValue: 1542)
    /// Pre-registration LwM2M JSON (1543).
    public static let legacyJSON = ContentFormat(rawValue: 1543)
    /// Pre-registration opaque (1544).
    public static let legacyOpaque = ContentFormat(rawValue: 1544)

    /// The registered format for a legacy number, `self` otherwise.
    public var canonical: ContentFormat {
        switch rawValue {
        case 1541: .text
        case 1542: .tlv
        case 1543: .lwm2mJSON
        case 1544: .opaque
        default: self
        }
    }

    /// The media type, or `nil` for numbers this package does not know.
    public var mediaType: String? {
        switch canonical.rawValue {
        case 0: "text/plain"
        case 40: "application/link-format"
        case 42: "application/octet-stream"
        case 60: "application/cbor"
        case 110: "application/senml+json"
        case 112: "application/senml+cbor"
        case 11542: "application/vnd.oma.lwm2m+tlv"
        case 11543: "application/vnd.oma.lwm2m+json"
        default: nil
        }
    }

    /// `"application/vnd.oma.lwm2m+tlv (11542)"`, or the bare number when unknown.
    public var description: String {
        guard let mediaType else { return "content format \(rawValue)" }
        return "\(mediaType) (\(rawValue))"
    }

    /// Decodes the number.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(UInt16.self))
    }

    /// Encodes the number.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
