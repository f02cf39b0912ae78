import Foundation
import GRDB
import LwM2M

/// One row of the `endpoint_pki_credential` table: the raw public key or certificate subject of one endpoint name.
struct PKICredentialRecord: Codable, Sendable, Equatable, PersistableRecord, EpochMillisecondRecord {
    /// The table name.
    static let databaseTableName = "endpoint_pki_credential"

    /// The endpoint name (primary key).
    var endpoint: String
    /// `rpk` or `x509`.
    var kind: String
    /// The DER SubjectPublicKeyInfo, for `rpk`.
    var publicKey: Data?
    /// The certificate subject, for `x509`.
    var subject: String?
    /// When the endpoint's first credential was stored.
    var createdAt: Date
    /// When the credential was last stored.
    var updatedAt: Date

    /// The table's columns, for queries.
    enum Columns {
        /// `endpoint`.
        static let endpoint = Column(CodingKeys.endpoint)
        /// `publicKey`.
        static let publicKey = Column(CodingKeys.publicKey)
        /// `subject`.
        static let subject = Column(CodingKeys.subject)
    }

    /// The row of `credential`, stored at `createdAt` and last changed at `updatedAt`.
    init(_ credential: PKICredential, createdAt: Date, updatedAt: Date) {
        endpoint = credential.endpoint
        kind = credential.mode
        switch credential.kind {
        case .rawPublicKey(let key): publicKey = Data(key)
        case .certificate(let subject): self.subject = subject
        }
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The credential this row stores (a row the table's check allows always has one).
    var credential: PKICredential {
        if kind == "rpk", let publicKey { return PKICredential(endpoint: endpoint, kind: .rawPublicKey(Array(publicKey))) }
        return PKICredential(endpoint: endpoint, kind: .certificate(subject: subject ?? endpoint))
    }

    /// The credential with its instants.
    var stored: StoredPKICredential {
        StoredPKICredential(credential: credential, createdAt: createdAt, updatedAt: updatedAt)
    }
}
