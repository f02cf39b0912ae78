import Foundation
import GRDB
import LwM2M

/// One row of the `observation_profile` table.
struct ObservationProfileRecord: Codable, Sendable, Equatable, NamedRecord, EpochMillisecondRecord {
    /// The table name.
    static let databaseTableName = "observation_profile"

    /// The row id (`nil` before insertion).
    var id: Int64?
    /// The unique name.
    var name: String
    /// The object the endpoint must announce, or `nil`.
    var objectId: Int?
    /// The endpoint name glob, or `nil`.
    var endpointPattern: String?
    /// The paths to observe, as a JSON array of strings.
    var paths: [String]
    /// The attributes to write first, as JSON.
    var attributes: NotificationAttributes?
    /// When it was stored.
    var createdAt: Date

    /// The table's columns, for queries.
    enum Columns {
        /// `id`.
        static let id = Column(CodingKeys.id)
        /// `name`.
        static let name = Column(CodingKeys.name)
    }

    /// The row of `profile` (no id yet).
    init(_ profile: ObservationProfile, createdAt: Date) {
        name = profile.name
        objectId = profile.objectID.map(Int.init)
        endpointPattern = profile.endpointPattern?.text
        paths = profile.paths.map(\.description)
        attributes = profile.attributes
        self.createdAt = createdAt
    }

    /// The profile this row stores (paths that do not parse are skipped).
    var profile: ObservationProfile {
        ObservationProfile(
            name: name, objectID: objectId.flatMap(UInt16.init(exactly:)), endpointPattern: endpointPattern.map(GlobPattern.init),
            paths: paths.compactMap { try? LwM2MPath($0) }, attributes: attributes)
    }

    /// Records the id SQLite assigned on insert.
    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
