/// The parameters of a Register request (`POST /rd?ep=..`, LwM2M 1.1 Core §6.2.1, Transport §6.2.1).
public struct RegisterRequest: Sendable, Equatable {
    /// `ep`: the endpoint client name.
    public var endpoint: String
    /// `lt`: lifetime in seconds.
    public var lifetime: Int
    /// `lwm2m`: the enabler version.
    public var version: LwM2MVersion
    /// `b`: binding mode letters.
    public var binding: String
    /// Queue mode: `Q` in `b` (1.0) or the `Q` parameter (1.1+).
    public var queueMode: Bool
    /// `sms`: the MSISDN.
    public var smsNumber: String?
    /// The payload's links.
    public var links: RegistrationLinks

    /// The lifetime when `lt` is absent (LwM2M 1.1 Core §6.2.1: 86400 s).
    public static let defaultLifetime = 86400

    /// Parses the Uri-Query items and payload of a Register request.
    public static func parse(
        query: [(key: String, value: String?)], payload: [UInt8], contentFormat: UInt16?
    ) throws(RegistrationError) -> RegisterRequest {
        try RegistrationQuery.checkContentFormat(contentFormat)
        var endpoint: String?
        var lifetime = defaultLifetime
        var version = LwM2MVersion.v1_0
        var binding = "U"
        var queueParameter = false
        var sms: String?
        for (key, value) in query {
            switch key {
            case "ep":
                guard let value, !value.isEmpty else { throw RegistrationError(.badRequest, "empty 'ep' parameter") }
                guard value.utf8.count <= 255, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                    throw RegistrationError(.badRequest, "invalid endpoint name")
                }
                endpoint = EndpointName.canonical(value)
            case "lt":
                lifetime = try RegistrationQuery.lifetime(value)
            case "lwm2m":
                guard let value, let parsed = LwM2MVersion(rawValue: value) else {
                    guard let value, RegistrationQuery.looksLikeVersion(value) else {
                        throw RegistrationError(.badRequest, "invalid 'lwm2m' parameter '\(value ?? "")'")
                    }
                    throw RegistrationError(.unsupportedVersion, "LwM2M version \(value) is not supported (1.0, 1.1, 1.2 are)")
                }
                version = parsed
            case "b":
                binding = try RegistrationQuery.binding(value)
            case "Q":
                guard value == nil || value == "" else { throw RegistrationError(.badRequest, "'Q' takes no value") }
                queueParameter = true
            case "sms":
                sms = value
            default:
                continue  // unknown parameters are ignored (forward compatibility, e.g. `pid`, `sn`)
            }
        }
        guard let endpoint else { throw RegistrationError(.badRequest, "missing 'ep' parameter") }
        let queueInBinding = binding.contains("Q")
        let normalizedBinding = binding.replacingOccurrences(of: "Q", with: "")
        let queueMode = queueParameter || (version == .v1_0 && queueInBinding)
        return RegisterRequest(
            endpoint: endpoint, lifetime: lifetime, version: version,
            binding: version == .v1_0 ? binding : normalizedBinding, queueMode: queueMode, smsNumber: sms,
            links: try RegistrationLinks.parse(payload))
    }
}

/// The parameters of an Update request (`POST /rd/<id>`, LwM2M 1.1 Core §6.2.2); every field is optional.
public struct UpdateRequest: Sendable, Equatable {
    /// New lifetime, when `lt` was sent.
    public var lifetime: Int?
    /// New binding, when `b` was sent.
    public var binding: String?
    /// New MSISDN, when `sms` was sent.
    public var smsNumber: String?
    /// New links, when the payload was not empty.
    public var links: RegistrationLinks?

    /// Parses the Uri-Query items and payload of an Update request.
    public static func parse(
        query: [(key: String, value: String?)], payload: [UInt8], contentFormat: UInt16?
    ) throws(RegistrationError) -> UpdateRequest {
        var update = UpdateRequest()
        for (key, value) in query {
            switch key {
            case "lt": update.lifetime = try RegistrationQuery.lifetime(value)
            case "b": update.binding = try RegistrationQuery.binding(value)
            case "sms": update.smsNumber = value
            default: continue
            }
        }
        if !payload.isEmpty {
            try RegistrationQuery.checkContentFormat(contentFormat)
            update.links = try RegistrationLinks.parse(payload)
        }
        return update
    }
}

/// Validation shared by Register and Update parameters.
enum RegistrationQuery {
    static func lifetime(_ value: String?) throws(RegistrationError) -> Int {
        guard let value, let seconds = Int(value), seconds > 0, seconds <= 0xFFFF_FFFF else {
            throw RegistrationError(.badRequest, "invalid 'lt' parameter '\(value ?? "")': expected seconds > 0")
        }
        return seconds
    }

    static func binding(_ value: String?) throws(RegistrationError) -> String {
        let allowed = Set("USNTQ")
        guard let value, !value.isEmpty, value.allSatisfy({ allowed.contains($0) }) else {
            throw RegistrationError(.badRequest, "invalid 'b' parameter '\(value ?? "")'")
        }
        return value
    }

    static func looksLikeVersion(_ value: String) -> Bool {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }

    /// Link format (40) or absent (some 1.0 clients omit the option) is accepted.
    static func checkContentFormat(_ format: UInt16?) throws(RegistrationError) {
        guard let format, format != 40 else { return }
        throw RegistrationError(.unsupportedContentFormat, "registration payload must be link format (40), got \(format)")
    }
}
