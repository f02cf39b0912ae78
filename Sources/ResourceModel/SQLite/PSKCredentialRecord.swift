import Foundation
import GRDB
import LwM2M

/// One row of the `endpoint_security` table: the DTLS pre-shared key of one endpoint name.
public struct PSKCredentialRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    /// The table name.
    public static let databaseTableName = "endpoint_security"

    /// The endpoint name (primary key; no foreign key, the device may not have registered yet).
    public var endpoint: String
    /// The PSK identity (unique).
    public var identity: String
    /// The key.
    public var key: Data
    /// When the endpoint's first credential was stored.
    public var createdAt: Date
    /// When the credential was last stored.
    public var updatedAt: Date

    /// The table's columns, for queries.
    public enum Columns {
        /// `endpoint`.
        public static let endpoint = Column(CodingKeys.endpoint)
        /// `identity`.
        public static let identity = Column(CodingKeys.identity)
    }

    /// The row of `credential`, stored at `createdAt` and last changed at `updatedAt`.
    public init(_ credential: PSKCredential, createdAt: Date, updatedAt: Date) {
        endpoint = credential.endpoint
        identity = credential.identity
        key = Data(credential.key)
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The credential this row stores.
    public var credential: PSKCredential {
        PSKCredential(endpoint: endpoint, identity: identity, key: Array(key))
    }

    /// The credential with its instants.
    public var stored: StoredPSKCredential {
        StoredPSKCredential(credential: credential, createdAt: createdAt, updatedAt: updatedAt)
    }

    /// Instants are stored as epoch milliseconds.
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .millisecondsSince1970
    }

    /// Instants are read back from epoch milliseconds.
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .millisecondsSince1970
    }
}
