import Foundation
import GRDB
import LwM2M

/// One row of the `endpoint` table: the last known registration of a client endpoint name, online or not.
public struct EndpointRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "endpoint"

    /// The row id (`nil` before insertion).
    public var id: Int64?
    /// The endpoint client name (`ep=`), unique.
    public var name: String
    /// The current or last registration id; unique among rows that have one.
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
    /// The announced objects and instances, stored as a JSON array.
    public var objectLinks: [Link]
    /// The announced content formats, stored as a JSON array of integers.
    public var supportedContentFormats: [UInt16]
    /// The client's transport address (`ip:port`).
    public var address: String
    /// How the last Register or Update arrived (`"udp"` or `"dtls"`, `RegistrationTransport`), since v5.
    public var transport: String
    /// When the current or last registration was created.
    public var registeredAt: Date
    /// When the client last registered or updated.
    public var lastSeen: Date
    /// Whether the registration is live (not de-registered, not expired).
    public var online: Bool
    /// When the endpoint was first stored (the `registeredAt` of its first registration, so no clock is needed).
    public var createdAt: Date

    /// The stored form of one object link: the JSON shape belongs to this table, not to `ObjectLink`'s coding.
    public struct Link: Codable, Sendable, Hashable {
        /// The object id.
        public var objectId: UInt16
        /// The instance id, when the link names an instance.
        public var instanceId: UInt16?
        /// The `ver` attribute, when announced.
        public var version: String?

        /// Creates a stored link.
        public init(objectId: UInt16, instanceId: UInt16? = nil, version: String? = nil) {
            self.objectId = objectId
            self.instanceId = instanceId
            self.version = version
        }
    }

    /// The table's columns, for queries.
    public enum Columns {
        /// `id`.
        public static let id = Column(CodingKeys.id)
        /// `name`.
        public static let name = Column(CodingKeys.name)
        /// `registrationId`.
        public static let registrationId = Column(CodingKeys.registrationId)
        /// `lwm2mVersion`.
        public static let lwm2mVersion = Column(CodingKeys.lwm2mVersion)
        /// `binding`.
        public static let binding = Column(CodingKeys.binding)
        /// `queueMode`.
        public static let queueMode = Column(CodingKeys.queueMode)
        /// `lifetime`.
        public static let lifetime = Column(CodingKeys.lifetime)
        /// `smsNumber`.
        public static let smsNumber = Column(CodingKeys.smsNumber)
        /// `rootPath`.
        public static let rootPath = Column(CodingKeys.rootPath)
        /// `objectLinks`.
        public static let objectLinks = Column(CodingKeys.objectLinks)
        /// `supportedContentFormats`.
        public static let supportedContentFormats = Column(CodingKeys.supportedContentFormats)
        /// `address`.
        public static let address = Column(CodingKeys.address)
        /// `transport`.
        public static let transport = Column(CodingKeys.transport)
        /// `registeredAt`.
        public static let registeredAt = Column(CodingKeys.registeredAt)
        /// `lastSeen`.
        public static let lastSeen = Column(CodingKeys.lastSeen)
        /// `online`.
        public static let online = Column(CodingKeys.online)
        /// `createdAt`.
        public static let createdAt = Column(CodingKeys.createdAt)
    }

    /// Creates a record from its column values.
    public init(
        id: Int64? = nil, name: String, registrationId: String?, lwm2mVersion: String, binding: String,
        queueMode: Bool, lifetime: Int, smsNumber: String? = nil, rootPath: String = "/", objectLinks: [Link],
        supportedContentFormats: [UInt16] = [], address: String, transport: String = "udp", registeredAt: Date,
        lastSeen: Date, online: Bool, createdAt: Date
    ) {
        self.transport = transport
        self.id = id
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
        self.registeredAt = registeredAt
        self.lastSeen = lastSeen
        self.online = online
        self.createdAt = createdAt
    }

    /// Records the id SQLite assigned on insert.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// Instants are stored as epoch milliseconds (`INTEGER`).
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .millisecondsSince1970
    }

    /// Instants are read back from epoch milliseconds.
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .millisecondsSince1970
    }
}

extension EndpointRecord {
    /// Creates the row for a live `registration` (`online`, `lastSeen` = `registration.lastUpdate`).
    public init(registration: Registration, createdAt: Date) {
        self.init(
            name: registration.endpoint, registrationId: registration.id,
            lwm2mVersion: registration.lwm2mVersion.rawValue, binding: registration.binding,
            queueMode: registration.queueMode, lifetime: registration.lifetime, smsNumber: registration.smsNumber,
            rootPath: registration.rootPath, objectLinks: registration.objectLinks.map(Link.init(_:)),
            supportedContentFormats: registration.supportedContentFormats, address: registration.address,
            transport: registration.transport.rawValue, registeredAt: registration.registeredAt, lastSeen: registration.lastUpdate, online: true,
            createdAt: createdAt)
    }

    /// Overwrites every registration-derived column with `registration` and marks the row online.
    /// Keeps `id`, `name` and `createdAt`.
    public mutating func update(from registration: Registration) {
        registrationId = registration.id
        lwm2mVersion = registration.lwm2mVersion.rawValue
        binding = registration.binding
        queueMode = registration.queueMode
        lifetime = registration.lifetime
        smsNumber = registration.smsNumber
        rootPath = registration.rootPath
        objectLinks = registration.objectLinks.map(Link.init(_:))
        supportedContentFormats = registration.supportedContentFormats
        address = registration.address
        transport = registration.transport.rawValue
        registeredAt = registration.registeredAt
        lastSeen = registration.lastUpdate
        online = true
    }

    /// The registration this row describes, or `nil` when the row has no registration id or an unknown version.
    public func registration() -> Registration? {
        guard let registrationId, let version = LwM2MVersion(rawValue: lwm2mVersion) else { return nil }
        return Registration(
            id: registrationId, endpoint: name, lwm2mVersion: version, binding: binding, queueMode: queueMode,
            lifetime: lifetime, smsNumber: smsNumber, rootPath: rootPath,
            objectLinks: objectLinks.map(ObjectLink.init(_:)), supportedContentFormats: supportedContentFormats,
            address: address, transport: RegistrationTransport(rawValue: transport) ?? .dtls,
            registeredAt: registeredAt, lastUpdate: lastSeen)
    }
}

extension EndpointRecord.Link {
    /// The stored form of a domain link.
    public init(_ link: ObjectLink) {
        self.init(objectId: link.objectID, instanceId: link.instanceID, version: link.version)
    }

    /// The path form (`/3/0`, `/5`), as `ObjectLink.path`.
    public var path: String {
        if let instanceId { return "/\(objectId)/\(instanceId)" }
        return "/\(objectId)"
    }
}

extension ObjectLink {
    /// The domain link a stored link describes.
    public init(_ link: EndpointRecord.Link) {
        self.init(objectID: link.objectId, instanceID: link.instanceId, version: link.version)
    }
}
