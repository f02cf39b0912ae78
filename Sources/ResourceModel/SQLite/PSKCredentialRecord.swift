import Foundation
import GRDB
import LwM2M

/// One row of the `endpoint_security` table: the DTLS pre-shared key of one endpoint name.
struct PSKCredentialRecord: Codable, Sendable, Equatable, PersistableRecord, EpochMillisecondRecord {
    /// The table name.
    static let databaseTableName = "endpoint_security"

    /// The endpoint name (primary key; no foreign key, the device may not have registered yet).
    var endpoint: String
    /// The PSK identity (unique).
    var identity: String
    /// The key.
    var key: Data
    /// When the endpoint's first credential was stored.
    var createdAt: Date
    /// When the credential was last stored.
    var updatedAt: Date

    /// The table's columns, for queries.
    enum Columns {
        /// `endpoint`.
        static let endpoint = Column(CodingKeys.endpoint)
        /// `identity`.
        static let identity = Column(CodingKeys.identity)
    }

    /// The row of `credential`, stored at `createdAt` and last changed at `updatedAt`.
    init(_ credential: PSKCredential, createdAt: Date, updatedAt: Date) {
        endpoint = credential.endpoint
        identity = credential.identity
        key = Data(credential.key)
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The credential this row stores.
    var credential: PSKCredential {
        PSKCredential(endpoint: endpoint, identity: identity, key: Array(key))
    }

    /// The credential with its instants.
    var stored: StoredPSKCredential {
        StoredPSKCredential(credential: credential, createdAt: createdAt, updatedAt: updatedAt)
    }
}
