import Foundation
import Hummingbird
import ResourceModel

/// The JSON representation of one endpoint in the REST API (never the stored value itself).
public struct EndpointDTO: Codable, Sendable, Equatable, ResponseEncodable {
    /// The endpoint client name.
    public var endpoint: String
    /// The current or last registration id (absent if a newer registration of another endpoint reused it).
    public var registrationId: String?
    /// The announced LwM2M version (`"1.1"`).
    public var lwm2mVersion: String
    /// The binding mode (`"U"`, `"UQ"`).
    public var binding: String
    /// Whether the client is in queue mode.
    public var queueMode: Bool
    /// The lifetime in seconds.
    public var lifetime: Int
    /// When the current or last registration was created.
    public var registeredAt: Date
    /// When the client last registered or updated.
    public var lastSeen: Date
    /// Whether the registration is live.
    public var online: Bool
    /// Whether requests reach it now: `online`, `awake` or `sleeping` (queue mode), `offline`; absent when the
    /// server runs without an operation dispatcher.
    public var presence: String?
    /// The announced objects and instances as paths (`["/1/0", "/3/0", "/5"]`).
    public var objectLinks: [String]
    /// The announced object versions by object id, for links that carried `ver` (`{"5": "1.1"}`).
    public var objectVersions: [String: String]
    /// The announced content formats.
    public var supportedContentFormats: [Int]
    /// The client's transport address (`ip:port`).
    public var address: String
    /// How the client last registered or updated: `udp` (plain CoAP) or `dtls`; a `dtls` client is reached only
    /// over DTLS.
    public var transport: String
    /// The alternate root path (`"/"` by default).
    public var rootPath: String
    /// The MSISDN, omitted when none.
    public var smsNumber: String?

    /// The representation of a stored endpoint.
    public init(_ record: StoredEndpoint) {
        endpoint = record.name
        registrationId = record.registrationId
        lwm2mVersion = record.lwm2mVersion
        binding = record.binding
        queueMode = record.queueMode
        lifetime = record.lifetime
        registeredAt = record.registeredAt
        lastSeen = record.lastSeen
        online = record.online
        objectLinks = record.objectLinks.map(\.path)
        var versions: [String: String] = [:]
        for link in record.objectLinks {
            if let version = link.version, versions[String(link.objectID)] == nil {
                versions[String(link.objectID)] = version
            }
        }
        objectVersions = versions
        supportedContentFormats = record.supportedContentFormats.map(Int.init)
        address = record.address
        transport = record.transport
        rootPath = record.rootPath
        smsNumber = record.smsNumber
    }
}
