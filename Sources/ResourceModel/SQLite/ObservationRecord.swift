import Foundation
import GRDB
import LwM2M

/// One row of the `observation` table: an active observation of the LwM2M server.
struct ObservationRecord: Codable, Sendable, Equatable, PersistableRecord, EpochMillisecondRecord {
    /// The table name.
    static let databaseTableName = "observation"

    /// The observation id (primary key).
    var id: String
    /// The endpoint client name.
    var endpoint: String
    /// The registration it was made under.
    var registrationId: String
    /// The observed paths, stored as a JSON array of strings.
    var paths: [String]
    /// Whether it is a composite observation.
    var composite: Bool
    /// The CoAP token.
    var token: Data
    /// The content format number asked for.
    var format: Int
    /// The attributes written before observing, as JSON.
    var attributes: NotificationAttributes?
    /// When it was established.
    var createdAt: Date

    /// The table's columns, for queries.
    enum Columns {
        /// `id`.
        static let id = Column(CodingKeys.id)
        /// `endpoint`.
        static let endpoint = Column(CodingKeys.endpoint)
        /// `createdAt`.
        static let createdAt = Column(CodingKeys.createdAt)
    }

    /// The row of `observation`.
    init(_ observation: Observation) {
        id = observation.id
        endpoint = observation.endpoint
        registrationId = observation.registrationID
        paths = observation.paths.map(\.description)
        composite = observation.composite
        token = Data(observation.token)
        format = Int(observation.format.rawValue)
        attributes = observation.attributes
        createdAt = observation.createdAt
    }

    /// The observation this row stores; `nil` when a path or the format does not parse.
    var observation: Observation? {
        var parsed: [LwM2MPath] = []
        for path in paths {
            guard let path = try? LwM2MPath(path) else { return nil }
            parsed.append(path)
        }
        guard let format = UInt16(exactly: format) else { return nil }
        return Observation(
            id: id, endpoint: endpoint, registrationID: registrationId, paths: parsed, composite: composite,
            token: [UInt8](token), format: ContentFormat(rawValue: format), attributes: attributes,
            createdAt: createdAt)
    }
}
