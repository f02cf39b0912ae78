import Foundation
import LwM2M

/// The last known registration of a client endpoint name, online or not, as the endpoint store keeps it.
public struct StoredEndpoint: Sendable, Equatable {
    /// The endpoint client name (`ep=`), unique.
    public var name: String
    /// The current or last registration id (`nil` once a newer registration of another endpoint took it).
    public var registrationId: String?
    /// The announced LwM2M version, raw (`"1.1"`).
    public var lwm2mVersion: String
    /// The binding mode (`"U"`, `"UQ"`, ...).
    public var binding: String
    /// Whether the client is in queue mode.
    public var queueMode: Bool
    /// The lifetime in seconds.
    public var lifetime: Int
    /// The MSISDN, when given.
    public var smsNumber: String?
    /// The alternate root path (`"/"` by default).
    public var rootPath: String
    /// The announced objects and instances.
    public var objectLinks: [ObjectLink]
    /// The announced content formats.
    public var supportedContentFormats: [UInt16]
    /// The client's transport address (`ip:port`).
    public var address: String
    /// How the last Register or Update arrived (`"udp"` or `"dtls"`, `RegistrationTransport`).
    public var transport: String
    /// When the current or last registration was created.
    public var registeredAt: Date
    /// When the client last registered or updated.
    public var lastSeen: Date
    /// Whether the registration is live (not de-registered, not expired).
    public var online: Bool
    /// When the endpoint was first stored.
    public var createdAt: Date

    /// Creates a stored endpoint from its fields.
    public init(
        name: String, registrationId: String?, lwm2mVersion: String, binding: String, queueMode: Bool,
        lifetime: Int, smsNumber: String? = nil, rootPath: String = "/", objectLinks: [ObjectLink],
        supportedContentFormats: [UInt16] = [], address: String, transport: String = "udp", registeredAt: Date,
        lastSeen: Date, online: Bool, createdAt: Date
    ) {
        self.name = name
        self.registrationId = registrationId
        self.lwm2mVersion = lwm2mVersion
        self.binding = binding
        self.queueMode = queueMode
        self.lifetime = lifetime
        self.smsNumber = smsNumber
        self.rootPath = rootPath
        self.objectLinks = objectLinks
        self.supportedContentFormats = supportedContentFormats
        self.address = address
        self.transport = transport
        self.registeredAt = registeredAt
        self.lastSeen = lastSeen
        self.online = online
        self.createdAt = createdAt
    }

    /// The endpoint a live `registration` describes (`lastSeen` = its last update), the inverse of
    /// `registration()`.
    public init(_ registration: Registration, online: Bool = true, createdAt: Date? = nil) {
        self.init(
            name: registration.endpoint, registrationId: registration.id,
            lwm2mVersion: registration.lwm2mVersion.rawValue, binding: registration.binding,
            queueMode: registration.queueMode, lifetime: registration.lifetime, smsNumber: registration.smsNumber,
            rootPath: registration.rootPath, objectLinks: registration.objectLinks,
            supportedContentFormats: registration.supportedContentFormats, address: registration.address,
            transport: registration.transport.rawValue, registeredAt: registration.registeredAt,
            lastSeen: registration.lastUpdate, online: online, createdAt: createdAt ?? registration.registeredAt)
    }

    /// The registration this endpoint describes, or `nil` when it has no registration id or an unknown version.
    public func registration() -> Registration? {
        guard let registrationId, let version = LwM2MVersion(rawValue: lwm2mVersion) else { return nil }
        return Registration(
            id: registrationId, endpoint: name, lwm2mVersion: version, binding: binding, queueMode: queueMode,
            lifetime: lifetime, smsNumber: smsNumber, rootPath: rootPath, objectLinks: objectLinks,
            supportedContentFormats: supportedContentFormats, address: address,
            transport: RegistrationTransport(rawValue: transport) ?? .dtls, registeredAt: registeredAt,
            lastUpdate: lastSeen)
    }
}
