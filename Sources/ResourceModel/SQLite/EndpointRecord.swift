import Foundation
import GRDB
import LwM2M

/// One row of the `endpoint` table: the last known registration of a client endpoint name, online or not.
struct EndpointRecord: Codable, Sendable, Equatable, MutablePersistableRecord, EpochMillisecondRecord {
    /// The table name.
    static let databaseTableName = "endpoint"

    /// The row id (`nil` before insertion).
    var id: Int64?
    /// The endpoint client name (`ep=`), unique.
    var name: String
    /// The current or last registration id; unique among rows that have one.
    var registrationId: String?
    /// The announced LwM2M version, raw (`"1.1"`).
    var lwm2mVersion: String
    /// The binding mode (`"U"`, `"UQ"`, ...).
    var binding: String
    /// Whether the client is in queue mode.
    var queueMode: Bool
    /// The lifetime in seconds.
    var lifetime: Int
    /// The MSISDN, when given.
    var smsNumber: String?
    /// The alternate root path (`"/"` by default).
    var rootPath: String
    /// The announced objects and instances, stored as a JSON array.
    var objectLinks: [Link]
    /// The announced content formats, stored as a JSON array of integers.
    var supportedContentFormats: [UInt16]
    /// The client's transport address (`ip:port`).
    var address: String
    /// How the last Register or Update arrived (`"udp"` or `"dtls"`, `RegistrationTransport`), since v5.
    var transport: String
    /// When the current or last registration was created.
    var registeredAt: Date
    /// When the client last registered or updated.
    var lastSeen: Date
    /// Whether the registration is live (not de-registered, not expired).
    var online: Bool
    /// When the endpoint was first stored (the `registeredAt` of its first registration, so no clock is needed).
    var createdAt: Date

    /// The stored form of one object link: the JSON shape belongs to this table, not to `ObjectLink`'s coding.
    struct Link: Codable, Sendable, Hashable {
        /// The object id.
        var objectId: UInt16
        /// The instance id, when the link names an instance.
        var instanceId: UInt16?
        /// The `ver` attribute, when announced.
        var version: String?

        /// Creates a stored link.
        init(objectId: UInt16, instanceId: UInt16? = nil, version: String? = nil) {
            self.objectId = objectId
            self.instanceId = instanceId
            self.version = version
        }
    }

    /// The table's columns, for queries.
    enum Columns {
        /// `id`.
        static let id = Column(CodingKeys.id)
        /// `name`.
        static let name = Column(CodingKeys.name)
        /// `registrationId`.
        static let registrationId = Column(CodingKeys.registrationId)
        /// `lwm2mVersion`.
        static let lwm2mVersion = Column(CodingKeys.lwm2mVersion)
        /// `binding`.
        static let binding = Column(CodingKeys.binding)
        /// `queueMode`.
        static let queueMode = Column(CodingKeys.queueMode)
        /// `lifetime`.
        static let lifetime = Column(CodingKeys.lifetime)
        /// `smsNumber`.
        static let smsNumber = Column(CodingKeys.smsNumber)
        /// `rootPath`.
        static let rootPath = Column(CodingKeys.rootPath)
        /// `objectLinks`.
        static let objectLinks = Column(CodingKeys.objectLinks)
        /// `supportedContentFormats`.
        static let supportedContentFormats = Column(CodingKeys.supportedContentFormats)
        /// `address`.
        static let address = Column(CodingKeys.address)
        /// `transport`.
        static let transport = Column(CodingKeys.transport)
        /// `registeredAt`.
        static let registeredAt = Column(CodingKeys.registeredAt)
        /// `lastSeen`.
        static let lastSeen = Column(CodingKeys.lastSeen)
        /// `online`.
        static let online = Column(CodingKeys.online)
        /// `createdAt`.
        static let createdAt = Column(CodingKeys.createdAt)
    }

    /// The row of `endpoint`, with the row id `id` (`nil` for a new row). The one mapping from the domain value.
    init(_ endpoint: StoredEndpoint, id: Int64? = nil) {
        self.id = id
        name = endpoint.name
        registrationId = endpoint.registrationId
        lwm2mVersion = endpoint.lwm2mVersion
        binding = endpoint.binding
        queueMode = endpoint.queueMode
        lifetime = endpoint.lifetime
        smsNumber = endpoint.smsNumber
        rootPath = endpoint.rootPath
        objectLinks = endpoint.objectLinks.map(Link.init(_:))
        supportedContentFormats = endpoint.supportedContentFormats
        address = endpoint.address
        transport = endpoint.transport
        registeredAt = endpoint.registeredAt
        lastSeen = endpoint.lastSeen
        online = endpoint.online
        createdAt = endpoint.createdAt
    }

    /// Records the id SQLite assigned on insert.
    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension EndpointRecord {
    /// Creates the row for a live `registration` (`online`, `lastSeen` = `registration.lastUpdate`).
    init(registration: Registration, createdAt: Date) {
        self.init(StoredEndpoint(registration, online: true, createdAt: createdAt))
    }

    /// Overwrites every registration-derived column with `registration` and marks the row online.
    /// Keeps `id`, `name` and `createdAt`.
    mutating func update(from registration: Registration) {
        var endpoint = StoredEndpoint(registration, online: true, createdAt: createdAt)
        endpoint.name = name
        self = EndpointRecord(endpoint, id: id)
    }

    /// The registration this row describes, or `nil` when the row has no registration id or an unknown version.
    func registration() -> Registration? {
        stored.registration()
    }

    /// The domain value of this row.
    var stored: StoredEndpoint {
        StoredEndpoint(
            name: name, registrationId: registrationId, lwm2mVersion: lwm2mVersion, binding: binding,
            queueMode: queueMode, lifetime: lifetime, smsNumber: smsNumber, rootPath: rootPath,
            objectLinks: objectLinks.map(ObjectLink.init(_:)), supportedContentFormats: supportedContentFormats,
            address: address, transport: transport, registeredAt: registeredAt, lastSeen: lastSeen, online: online,
            createdAt: createdAt)
    }
}

extension EndpointRecord.Link {
    /// The stored form of a domain link.
    init(_ link: ObjectLink) {
        self.init(objectId: link.objectID, instanceId: link.instanceID, version: link.version)
    }

    /// The path form (`/3/0`, `/5`), as `ObjectLink.path`.
    var path: String {
        if let instanceId { return "/\(objectId)/\(instanceId)" }
        return "/\(objectId)"
    }
}

extension ObjectLink {
    /// The domain link a stored link describes.
    init(_ link: EndpointRecord.Link) {
        self.init(objectID: link.objectId, instanceID: link.instanceId, version: link.version)
    }
}
