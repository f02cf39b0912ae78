import Foundation
import Hummingbird
import LwM2M
import ResourceModel

/// DTLS pre-shared keys of endpoints (LwM2M 1.1 Core E.1, Security Mode 0 "Pre-Shared Key"; RFC 4279),
/// provisioned before the device connects:
///
/// - `GET /api/v1/security` → 200 `[CredentialResponse]`, sorted by endpoint
/// - `GET /api/v1/security/{endpoint}` → 200 `CredentialResponse`; 404 `security-not-found`
/// - `PUT /api/v1/security/{endpoint}` with `PSKCredentialBody` → 201 new, 200 replaced; 409 `identity-taken`
/// - `DELETE /api/v1/security/{endpoint}` → 204; 404 `security-not-found`
///
/// Keys go in, never out. Every change is written to the database, then to the in-memory store the DTLS
/// handshake reads (in commit order); without a store the routes answer 503.
struct SecurityController {
    /// One credential without its key: `{"endpoint","identity","keyLength","createdAt","updatedAt"}`.
    struct CredentialResponse: ResponseEncodable, Equatable {
        /// The endpoint name.
        var endpoint: String
        /// The PSK identity.
        var identity: String
        /// The key length in bytes.
        var keyLength: Int
        /// When the endpoint's first credential was stored.
        var createdAt: Date
        /// When the credential was last stored.
        var updatedAt: Date

        /// The JSON form of `stored`.
        init(_ stored: StoredPSKCredential) {
            endpoint = stored.credential.endpoint
            identity = stored.credential.identity
            keyLength = stored.credential.key.count
            createdAt = stored.createdAt
            updatedAt = stored.updatedAt
        }
    }

    /// The durable copy.
    let credentials: any CredentialStore
    /// The copy the DTLS handshake reads; `nil` answers 503.
    let store: PSKCredentialStore?

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
        return try await credentials.storedPSKCredentials().map(CredentialResponse.init)
    }

    /// The endpoint's credential, or 404.
    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> CredentialResponse {
        _ = try requireStore()
        let endpoint = try context.endpointName()
        guard let stored = try await credentials.storedPSKCredential(endpoint: endpoint) else {
            throw Problem.securityNotFound(endpoint)
        }
        return CredentialResponse(stored)
    }

    /// `PUT` with `{"identity"?,"key"}`: 201 when the endpoint had no credential, 200 when it replaced one;
    /// 409 when another endpoint uses the identity.
    @Sendable func put(_ request: Request, context: APIRequestContext) async throws -> Response {
        let store = try requireStore()
        let endpoint = try context.endpointName()
        let members = try BodyFields.members(try await request.jsonBody(), known: PSKCredentialBody.members)
        let body = try PSKCredentialBody(members, endpoint: endpoint)
        let credential = PSKCredential(endpoint: endpoint, identity: body.identity, key: body.key)
        let saved: (stored: StoredPSKCredential, created: Bool)
        do {
            saved = try await credentials.savePSKCredentialAndFetch(credential, at: Date(), mirroringTo: store)
        } catch let error as PSKCredentialError {
            switch error {
            case .identityTaken(let identity, let owner): throw Problem.identityTaken(identity, owner: owner)
            }
        }
        context.logger.info(
            "PSK credential stored",
            metadata: ["endpoint": "\(endpoint)", "identity": "\(credential.identity)", "new": "\(saved.created)"])
        var response = try CredentialResponse(saved.stored).response(from: request, context: context)
        response.status = saved.created ? .created : .ok
        return response
    }

    /// `DELETE`: 204, or 404 when the endpoint has no credential.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let store = try requireStore()
        let endpoint = try context.endpointName()
        guard try await credentials.deletePSKCredential(endpoint: endpoint, mirroringTo: store) else {
            throw Problem.securityNotFound(endpoint)
        }
        context.logger.info("PSK credential deleted", metadata: ["endpoint": "\(endpoint)"])
        return Response(status: .noContent)
    }

    /// The in-memory store, or a 503 problem when the server runs without one.
    private func requireStore() throws(Problem) -> PSKCredentialStore {
        guard let store else { throw Problem.unavailable("PSK credential management") }
        return store
    }
}
