import Foundation
import Hummingbird
import LwM2M
import ResourceModel

/// DTLS credentials of endpoints (LwM2M 1.1 Core E.1, Security Modes 0 "Pre-Shared Key" (RFC 4279), 1 "Raw
/// Public Key" (RFC 7250) and 2 "Certificate"), provisioned before the device connects; one per endpoint:
///
/// - `GET /api/v1/security` → 200 `[CredentialResponse]`, sorted by endpoint
/// - `GET /api/v1/security/{endpoint}` → 200 `CredentialResponse`; 404 `security-not-found`
/// - `PUT /api/v1/security/{endpoint}` with `SecurityCredentialBody` → 201 new, 200 replaced (of any mode);
///   409 `identity-taken`, `public-key-taken`, `subject-taken`
/// - `DELETE /api/v1/security/{endpoint}` → 204; 404 `security-not-found`
///
/// Secret keys go in, never out (public keys do come out). Every change is written to the database, then to the in-memory store the DTLS
/// handshake reads (in commit order); without a store the routes answer 503.
struct SecurityController {
    /// One credential without its secret: `{"endpoint","mode","identity"?,"keyLength"?,"publicKey"?,"subject"?,
    /// "createdAt","updatedAt"}`; `identity` and `keyLength` for `psk`, `publicKey` (base64 DER) for `rpk`, `subject`
    /// for `x509`.
    struct CredentialResponse: ResponseEncodable, Equatable {
        /// The endpoint name.
        var endpoint: String
        /// `psk`, `rpk` or `x509`.
        var mode: String
        /// The PSK identity.
        var identity: String?
        /// The PSK length in bytes.
        var keyLength: Int?
        /// The raw public key, base64 of its DER SubjectPublicKeyInfo.
        var publicKey: String?
        /// The certificate subject.
        var subject: String?
        /// When the endpoint's first credential was stored.
        var createdAt: Date
        /// When the credential was last stored.
        var updatedAt: Date

        /// The JSON form of `stored`.
        init(_ stored: StoredPSKCredential) {
            endpoint = stored.credential.endpoint
            mode = "psk"
            identity = stored.credential.identity
            keyLength = stored.credential.key.count
            createdAt = stored.createdAt
            updatedAt = stored.updatedAt
        }

        /// The JSON form of `stored`.
        init(_ stored: StoredPKICredential) {
            endpoint = stored.credential.endpoint
            mode = stored.credential.mode
            switch stored.credential.kind {
            case .rawPublicKey(let key): publicKey = Data(key).base64EncodedString()
            case .certificate(let subject): self.subject = subject
            }
            createdAt = stored.createdAt
            updatedAt = stored.updatedAt
        }
    }

    /// The durable copy.
    let credentials: any CredentialStore
    /// The copy the DTLS handshake reads; `nil` answers 503.
    let store: DTLSCredentialStore?

    /// The collection route.
    static let collectionPath = "/api/v1/security"
    /// The route of one endpoint's credential.
    static let itemPath = "/api/v1/security/{endpoint}"

    /// Registers the routes (and 405 answers for the other methods) on `router`.
    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        router.get(RouterPath(Self.collectionPath), use: list)
        router.get(RouterPath(Self.itemPath), use: get)
        router.put(RouterPath(Self.itemPath), use: put)
        router.delete(RouterPath(Self.itemPath), use: delete)
        router.rejectOtherMethods(RouterPath(Self.collectionPath), allowed: [.get, .head])
        router.rejectOtherMethods(RouterPath(Self.itemPath), allowed: [.get, .head, .put, .delete])
    }

    /// Every credential, sorted by endpoint name.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> [CredentialResponse] {
        _ = try requireStore()
        let psk = try await credentials.storedPSKCredentials().map(CredentialResponse.init)
        let pki = try await credentials.storedPKICredentials().map(CredentialResponse.init)
        return (psk + pki).sorted { $0.endpoint < $1.endpoint }
    }

    /// The endpoint's credential, or 404.
    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> CredentialResponse {
        _ = try requireStore()
        let endpoint = try context.endpointName()
        if let stored = try await credentials.storedPSKCredential(endpoint: endpoint) { return CredentialResponse(stored) }
        if let stored = try await credentials.storedPKICredential(endpoint: endpoint) { return CredentialResponse(stored) }
        throw Problem.securityNotFound(endpoint)
    }

    /// `PUT` with a `SecurityCredentialBody`: 201 when the endpoint had no credential, 200 when it replaced one;
    /// 409 when another endpoint uses the identity, key or subject.
    @Sendable func put(_ request: Request, context: APIRequestContext) async throws -> Response {
        let store = try requireStore()
        let endpoint = try context.endpointName()
        let response: CredentialResponse
        let created: Bool
        switch try SecurityCredentialBody(try await request.jsonBody(), endpoint: endpoint) {
        case .psk(let body):
            let credential = PSKCredential(endpoint: endpoint, identity: body.identity, key: body.key)
            let saved: (stored: StoredPSKCredential, created: Bool)
            do {
                saved = try await credentials.savePSKCredentialAndFetch(credential, at: Date(), mirroringTo: store)
            } catch let error as PSKCredentialError {
                switch error {
                case .identityTaken(let identity, let owner): throw Problem.identityTaken(identity, owner: owner)
                }
            }
            (response, created) = (CredentialResponse(saved.stored), saved.created)
        case .pki(let kind):
            let saved: (stored: StoredPKICredential, created: Bool)
            do {
                saved = try await credentials.savePKICredentialAndFetch(
                    PKICredential(endpoint: endpoint, kind: kind), at: Date(), mirroringTo: store)
            } catch let error as PKICredentialError {
                throw Problem.credentialTaken(error)
            }
            (response, created) = (CredentialResponse(saved.stored), saved.created)
        }
        context.logger.info("DTLS credential stored", metadata: [
            "endpoint": "\(endpoint)", "mode": "\(response.mode)", "identity": "\(response.identity ?? response.subject ?? "-")",
            "new": "\(created)",
        ])
        var answer = try response.response(from: request, context: context)
        answer.status = created ? .created : .ok
        return answer
    }

    /// `DELETE`: 204, or 404 when the endpoint has no credential.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let store = try requireStore()
        let endpoint = try context.endpointName()
        guard try await credentials.deleteCredential(endpoint: endpoint, mirroringTo: store) else {
            throw Problem.securityNotFound(endpoint)
        }
        context.logger.info("DTLS credential deleted", metadata: ["endpoint": "\(endpoint)"])
        return Response(status: .noContent)
    }

    /// The in-memory store, or a 503 problem when the server runs without one.
    private func requireStore() throws(Problem) -> DTLSCredentialStore {
        guard let store else { throw Problem.unavailable("DTLS credential management") }
        return store
    }
}
