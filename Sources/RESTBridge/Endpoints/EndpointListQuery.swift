import Foundation
import Hummingbird
import ResourceModel

/// The query of `GET /api/v1/endpoints`: filters, sort order (by name), and a page (`limit`, `cursor`). Without
/// `limit` every matching endpoint comes back, as before paging existed.
struct EndpointListQuery: Equatable {
    /// The largest page.
    static let maxLimit = 1_000

    /// `online=true|false`.
    var online: Bool?
    /// `presence=online|awake|sleeping|offline`.
    var presence: EndpointPresence?
    /// `name=`: endpoints whose name contains this text, case-insensitively.
    var name: String?
    /// `object=3303`: endpoints that registered an instance (or the object) of this object id.
    var object: Int?
    /// `limit=`: the page size, 1 to `maxLimit`.
    var limit: Int?
    /// `cursor=`: the last endpoint name of the previous page (as the `Link` header gives it, base64url).
    var after: String?

    /// Reads and checks `request`'s query.
    init(_ request: Request) throws(Problem) {
        // Unknown parameters never get here: `QueryParameterMiddleware` refuses them for every route.
        let query = request.uri.queryParameters
        if let value = query.get("online") {
            switch value {
            case "true": online = true
            case "false": online = false
            default: throw Problem.invalidQueryParameter("online", value: value, expected: "'true' or 'false'")
            }
        }
        if let value = query.get("presence") {
            guard let presence = EndpointPresence(rawValue: value) else {
                throw Problem.invalidQueryParameter("presence", value: value, expected: "online, awake, sleeping or offline")
            }
            self.presence = presence
        }
        if let value = query.get("name"), !value.isEmpty { name = value }
        if let value = query.get("object") {
            guard let id = Int(value), (0...65535).contains(id) else {
                throw Problem.invalidQueryParameter("object", value: value, expected: "an object id in 0...65535")
            }
            object = id
        }
        if let value = query.get("limit") {
            guard let limit = Int(value), (1...Self.maxLimit).contains(limit) else {
                throw Problem.invalidQueryParameter("limit", value: value, expected: "an integer in 1...\(Self.maxLimit)")
            }
            self.limit = limit
        }
        if let value = query.get("cursor") {
            guard let name = Self.decodeCursor(value) else {
                throw Problem.invalidQueryParameter("cursor", value: value, expected: "a cursor from a Link header")
            }
            after = name
        }
    }

    /// The store's filter. `presenceNames` (the dispatcher's registered names by presence) turns `presence` into
    /// name sets: offline is every endpoint not registered; without it (no dispatcher) `online` and `offline`
    /// follow the stored flag and nothing is awake or sleeping.
    func filter(presenceNames: [EndpointPresence: Set<String>]?) -> EndpointFilter {
        var filter = EndpointFilter(online: online, nameContains: name, objectID: object.map { UInt16($0) })
        guard let presence else { return filter }
        if let presenceNames {
            if presence == .offline {
                filter.excludedNames = presenceNames.values.reduce(into: Set<String>()) { $0.formUnion($1) }
            } else {
                filter.names = presenceNames[presence] ?? []
            }
        } else {
            switch presence {
            case .online, .offline:
                let wanted = presence == .online
                if let online, online != wanted { filter.names = [] } else { filter.online = wanted }
            case .awake, .sleeping:
                filter.names = []
            }
        }
        return filter
    }

    /// The opaque cursor of a page ending at `name`: base64url without padding.
    static func cursor(after name: String) -> String {
        Data(name.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The endpoint name a cursor stands for: any base64url text is a position in the name order (bytes that are
    /// no UTF-8 become U+FFFD), so only text that is no base64url is refused.
    static func decodeCursor(_ cursor: String) -> String? {
        guard cursor.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0)
            || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
        else { return nil }
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        return Data(base64Encoded: text).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The query of the next page after `name`, keeping the filters.
    func nextQuery(after last: String) -> String {
        var items: [URLQueryItem] = []
        if let online { items.append(.init(name: "online", value: "\(online)")) }
        if let presence { items.append(.init(name: "presence", value: presence.rawValue)) }
        if let name { items.append(.init(name: "name", value: name)) }
        if let object { items.append(.init(name: "object", value: "\(object)")) }
        if let limit { items.append(.init(name: "limit", value: "\(limit)")) }
        items.append(.init(name: "cursor", value: Self.cursor(after: last)))
        var components = URLComponents()
        components.queryItems = items
        return components.percentEncodedQuery ?? ""
    }
}
