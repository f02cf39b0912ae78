import HummingbirdAuth

/// What a REST API token may do (issue P8), from least to most:
///
/// - `metrics`: `GET /metrics` only (the `--metrics-token` for a Prometheus scraper);
/// - `reader`: every `GET` and `HEAD` (the live stream included) but tokens and security;
/// - `operator`: everything a reader may, and device management, operations, firmware, campaigns, profiles, rules
///   (every other method) — but tokens and security;
/// - `admin`: everything, tokens and DTLS credentials too.
///
/// Each role includes the ones below it.
public enum APIRole: String, Sendable, CaseIterable, Comparable, Codable {
    case metrics
    case reader
    case `operator`
    case admin

    /// The roles `POST /api/v1/tokens` hands out (a scrape-only token comes from `--metrics-token`).
    public static let issuable: [APIRole] = [.reader, .operator, .admin]

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    public static func < (lhs: APIRole, rhs: APIRole) -> Bool { lhs.rank < rhs.rank }
}

/// Who a request comes from: the token's name and role.
public struct APIIdentity: Sendable, Equatable, RoleProviding {
    /// The bootstrap admin token's name (`LWM2M_API_TOKEN` or the data directory's `api-token`).
    public static let bootstrapName = "admin"
    /// The `--metrics-token`'s name.
    public static let metricsName = "metrics"
    /// The identity every request gets with authentication off (`--no-auth`).
    public static let unauthenticated = APIIdentity(name: "no-auth", role: .admin)

    /// The token's name (`admin` for the bootstrap token).
    public var name: String
    /// Its role.
    public var role: APIRole

    /// Creates an identity.
    public init(name: String, role: APIRole) {
        self.name = name
        self.role = role
    }

    /// The role and every role it includes (`RoleProviding`).
    public var roles: Set<APIRole> { Set(APIRole.allCases.filter { $0 <= role }) }
}
