import Foundation

/// The LwM2M enabler versions this server speaks (the `lwm2m=` registration parameter, LwM2M 1.1 Core §6.2.1).
public enum LwM2MVersion: String, Sendable, Codable, CaseIterable, Comparable {
    case v1_0 = "1.0"
    case v1_1 = "1.1"
    case v1_2 = "1.2"

    public static func < (lhs: LwM2MVersion, rhs: LwM2MVersion) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// One object or object-instance link announced by a client at registration (LwM2M 1.1 Core §6.2.1, "Objects and Object Instances").
public struct ObjectLink: Sendable, Hashable, Codable {
    /// The object id.
    public var objectID: UInt16
    /// The instance id, when the link names an instance (`</3/0>`), else `nil` (`</5>`).
    public var instanceID: UInt16?
    /// The object version from the `ver` attribute, when announced.
    public var version: String?

    /// Creates a link.
    public init(objectID: UInt16, instanceID: UInt16? = nil, version: String? = nil) {
        self.objectID = objectID
        self.instanceID = instanceID
        self.version = version
    }

    /// The path form used in the REST API (`/3/0`, `/5`).
    public var path: String {
        if let instanceID { return "/\(objectID)/\(instanceID)" }
        return "/\(objectID)"
    }
}

/// How a client's Register or Update reached the server (LwM2M 1.1 Transport §5: CoAP over UDP, or over DTLS).
public enum RegistrationTransport: String, Sendable, Codable, CaseIterable {
    /// Plain CoAP over UDP (RFC 7252).
    case udp
    /// CoAP over DTLS (RFC 7252 §9.1): the server may reach the client only over a DTLS session, never in plaintext.
    case dtls

    /// Whether requests to the client must go over DTLS.
    public var isSecure: Bool { self == .dtls }
}

/// An immutable registration of one LwM2M client (Leshan-style: an update produces a new value).
public struct Registration: Sendable, Equatable, Codable {
    /// The registration id handed out in `Location-Path: rd/<id>`.
    public var id: String
    /// The endpoint client name (`ep=`).
    public var endpoint: String
    /// The LwM2M version the client announced (`lwm2m=`, 1.0 when absent).
    public var lwm2mVersion: LwM2MVersion
    /// The binding mode (`b=`, "U" when absent); in LwM2M 1.0 a trailing `Q` means queue mode.
    public var binding: String
    /// Whether the client is in queue mode (`b=UQ` in 1.0, the `Q` parameter in 1.1 and later).
    public var queueMode: Bool
    /// The lifetime in seconds (`lt=`, 86400 when absent).
    public var lifetime: Int
    /// The MSISDN (`sms=`), when given.
    public var smsNumber: String?
    /// The alternate path from `</path>;rt="oma.lwm2m"`, "/" by default.
    public var rootPath: String
    /// The objects and instances the client announced.
    public var objectLinks: [ObjectLink]
    /// The content formats announced with `ct=` on the root link (LwM2M 1.1+), empty when none.
    public var supportedContentFormats: [UInt16]
    /// The client's transport address as seen by the server (`ip:port`).
    public var address: String
    /// The transport of the last Register or Update: a client that used DTLS is reached only over DTLS.
    public var transport: RegistrationTransport
    /// When the client registered.
    public var registeredAt: Date
    /// When the client last registered or updated.
    public var lastUpdate: Date

    /// Creates a registration.
    public init(
        id: String, endpoint: String, lwm2mVersion: LwM2MVersion, binding: String, queueMode: Bool,
        lifetime: Int, smsNumber: String? = nil, rootPath: String = "/", objectLinks: [ObjectLink],
        supportedContentFormats: [UInt16] = [], address: String, transport: RegistrationTransport = .udp,
        registeredAt: Date, lastUpdate: Date
    ) {
        self.transport = transport
        self.id = id
        self.endpoint = endpoint
        self.lwm2mVersion = lwm2mVersion
        self.binding = binding
        self.queueMode = queueMode
        self.lifetime = lifetime
        self.smsNumber = smsNumber
        self.rootPath = rootPath
        self.objectLinks = objectLinks
        self.supportedContentFormats = supportedContentFormats
        self.address = address
        self.registeredAt = registeredAt
        self.lastUpdate = lastUpdate
    }

    /// The instant after which the registration is expired if no update arrived (LwM2M 1.1 Core §6.2.2).
    public var expiresAt: Date { lastUpdate.addingTimeInterval(TimeInterval(lifetime)) }

    /// Whether the registration has expired at `now`.
    public func isExpired(at now: Date) -> Bool { now > expiresAt }
}

/// What happened to a registration; the registry publishes these in order.
public enum RegistrationEvent: Sendable, Equatable {
    /// A client registered; `replaced` is the previous registration of the same endpoint name, if any.
    case registered(Registration, replaced: Registration?)
    /// A client sent an update (possibly empty: only `lastUpdate` changed).
    case updated(Registration)
    /// A client de-registered (`DELETE /rd/<id>`).
    case deregistered(Registration)
    /// The lifetime ran out without an update.
    case expired(Registration)

    /// The registration the event is about.
    public var registration: Registration {
        switch self {
        case .registered(let r, _), .updated(let r), .deregistered(let r), .expired(let r): return r
        }
    }
}
