import Foundation
import Hummingbird
import ResourceModel

/// The REST API's named tokens (admin only, see `APIAccess`):
///
/// - `POST /api/v1/tokens` with `{"name","role","expiresIn"?}` → 201 `TokenResponse` with `token`:
///   the token is in this answer only (the store keeps its SHA-256); 409 `token-name-taken`
/// - `GET /api/v1/tokens` → 200 `[TokenResponse]` sorted by name: names, roles, instants, never a token
/// - `DELETE /api/v1/tokens/{name}` → 204 (the token stops working at once); 404 `token-not-found`
///
/// `name` is 1 to 64 characters of `A-Z a-z 0-9 . _ -`; `role` is `reader`, `operator` or `admin`; `expiresIn` is
/// a whole number of seconds from now, 1 to 10 years' worth (absent: never expires).
struct APITokenController {
    /// One token: `{"name","role","createdAt","expiresAt","lastUsedAt"}`, and `"token"` in the answer that made it
    /// (the only time it is shown).
    struct TokenResponse: ResponseEncodable, Equatable {
        var name: String
        var role: String
        var createdAt: Date
        var expiresAt: Date?
        var lastUsedAt: Date?
        /// The secret, in the creation answer only.
        var token: String?

        init(_ stored: StoredAPIToken, token: String? = nil) {
            name = stored.name
            role = stored.role
            createdAt = stored.createdAt
            expiresAt = stored.expiresAt
            lastUsedAt = stored.lastUsedAt
            self.token = token
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(role, forKey: .role)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(expiresAt, forKey: .expiresAt)
            try container.encode(lastUsedAt, forKey: .lastUsedAt)
            try container.encodeIfPresent(token, forKey: .token)
        }

        private enum CodingKeys: String, CodingKey { case name, role, createdAt, expiresAt, lastUsedAt, token }
    }

    /// The members a creation body may have.
    static let members: Set<String> = ["name", "role", "expiresIn"]
    /// The longest `expiresIn`: ten years of seconds.
    static let maxExpiresIn: Int64 = 10 * 366 * 86_400

    let store: any APITokenStore

    static let collectionPath = "/api/v1/tokens"
    static let itemPath = "/api/v1/tokens/{name}"

    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        router.get(RouterPath(Self.collectionPath), use: list)
        router.post(RouterPath(Self.collectionPath), use: create)
        router.delete(RouterPath(Self.itemPath), use: delete)
        router.rejectOtherMethods(RouterPath(Self.collectionPath), allowed: [.get, .head, .post])
        router.rejectOtherMethods(RouterPath(Self.itemPath), allowed: [.delete])
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> [TokenResponse] {
        try await store.apiTokens().map { TokenResponse($0) }
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let members = try BodyFields.members(try await request.jsonBody(), known: Self.members)
        let name = try Self.name(members["name"])
        let role = try Self.role(members["role"])
        let now = Date()
        let expiresAt = try Self.expiresIn(members["expiresIn"]).map { now.addingTimeInterval(TimeInterval($0)) }
        let token = APIToken.generate()
        let stored = StoredAPIToken(
            name: name, role: role.rawValue, tokenHash: APITokenAuthenticator<APIRequestContext>.hash(token),
            createdAt: now, expiresAt: expiresAt)
        do {
            try await store.insertAPIToken(stored)
        } catch APITokenStoreError.nameTaken(let taken) {
            throw Problem.tokenNameTaken(taken)
        }
        context.logger.notice("API token created", metadata: [
            "name": "\(name)", "role": "\(role.rawValue)", "by": "\(context.identity?.name ?? "-")",
            "expiresAt": "\(expiresAt.map { "\($0)" } ?? "never")",
        ])
        // Read back: instants are stored in whole milliseconds and the answer must match later listings.
        let saved = try await store.apiToken(hash: stored.tokenHash) ?? stored
        var response = try TokenResponse(saved, token: token).response(from: request, context: context)
        response.status = .created
        response.headers[.cacheControl] = "no-store"
        return response
    }

    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let raw = try context.parameters.require("name")
        let name = raw.removingPercentEncoding ?? raw
        guard try await store.deleteAPIToken(name: name) else { throw Problem.tokenNotFound(name) }
        context.logger.notice("API token deleted", metadata: ["name": "\(name)", "by": "\(context.identity?.name ?? "-")"])
        return Response(status: .noContent)
    }

    /// `name`: 1 to 64 characters of `A-Z a-z 0-9 . _ -`.
    static func name(_ value: RequestJSON?) throws(Problem) -> String {
        let allowed = "1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'"
        guard case .string(let name)? = value else {
            throw invalid("/name", value == nil ? "missing; expected \(allowed)" : "expected a string of \(allowed)")
        }
        guard (1...64).contains(name.utf8.count),
              name.utf8.allSatisfy({ $0.isASCIIAlphanumeric || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else {
            throw invalid("/name", "expected \(allowed)")
        }
        return name
    }

    /// `role`: one of the issuable roles.
    static func role(_ value: RequestJSON?) throws(Problem) -> APIRole {
        let expected = APIRole.issuable.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        guard case .string(let text)? = value, let role = APIRole(rawValue: text), APIRole.issuable.contains(role) else {
            throw invalid("/role", "expected one of \(expected)")
        }
        return role
    }

    /// `expiresIn`: absent or a whole number of seconds, 1 to `maxExpiresIn`.
    static func expiresIn(_ value: RequestJSON?) throws(Problem) -> Int64? {
        switch value {
        case nil: return nil
        case .integer(let seconds)? where (1...maxExpiresIn).contains(seconds): return seconds
        default: throw invalid("/expiresIn", "expected a whole number of seconds from 1 to \(maxExpiresIn)")
        }
    }

    private static func invalid(_ pointer: String, _ message: String) -> Problem {
        Problem.invalidBody(NodeJSONError(pointer: pointer, message))
    }
}

extension UInt8 {
    /// Whether the byte is an ASCII letter or digit.
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
