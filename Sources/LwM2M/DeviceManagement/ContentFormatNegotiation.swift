/// Chooses the payload format for a client from what it registered with (LwM2M 1.1 Core §6.2.1, §7.4).
public enum ContentFormatNegotiation {
    /// The format to use for object/instance/resource payloads when the caller did not force one:
    /// LwM2M 1.0 → TLV; 1.1/1.2 → SenML CBOR where announced (`ct=` on the root link), else SenML JSON
    /// (announced or, with no `ct=` at all, assumed), else TLV (a `ct=` list without SenML).
    public static func preferred(version: LwM2MVersion, announced: [UInt16]) -> ContentFormat {
        switch version {
        case .v1_0:
            return .tlv
        case .v1_1, .v1_2:
            let formats = Set(announced.map { ContentFormat(rawValue: $0).canonical })
            if formats.contains(.senmlCBOR) { return .senmlCBOR }
            if formats.isEmpty || formats.contains(.senmlJSON) { return .senmlJSON }
            return .tlv
        }
    }

    /// The format for a registration.
    public static func preferred(for registration: Registration) -> ContentFormat {
        preferred(version: registration.lwm2mVersion, announced: registration.supportedContentFormats)
    }

    /// The SenML format for composite operations (which need SenML): the preferred one if it is SenML,
    /// else SenML CBOR if announced, else SenML JSON.
    public static func composite(for registration: Registration, forced: ContentFormat?) -> ContentFormat {
        if let forced { return forced }
        let preferred = preferred(for: registration)
        if preferred == .senmlCBOR || preferred == .senmlJSON { return preferred }
        return registration.supportedContentFormats.contains(ContentFormat.senmlCBOR.rawValue) ? .senmlCBOR : .senmlJSON
    }

    /// The format for a Create: TLV when the new instance has no resources, because an empty SenML pack or
    /// LwM2M JSON `e` array cannot carry the instance id (LwM2M 1.1 Core §5.4.6, §7.4.3: TLV writes it in the
    /// Object Instance header; TLV is mandatory for every client, §7.4); otherwise the preferred format.
    public static func create(_ instance: LwM2MObjectInstance, for registration: Registration) -> ContentFormat {
        instance.resources.isEmpty ? .tlv : preferred(for: registration)
    }
}
