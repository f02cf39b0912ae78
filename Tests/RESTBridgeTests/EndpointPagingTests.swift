import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

import ResourceModel
@testable import RESTBridge

/// `GET /api/v1/endpoints` with filters and pages (issue P9): `limit` and `cursor`, `Link: rel="next"`,
/// `X-Total-Count`; unknown parameters are a 400.
@Suite("GET /api/v1/endpoints: filters and pages")
struct EndpointPagingTests {
    func get(_ uri: String) async throws -> TestResponse {
        let app = makeApplication(database: try await makeSeededDatabase())
        return try await app.test(.router) { client in
            try await client.execute(uri: uri, method: .get, headers: authorized)
        }
    }

    func names(_ response: TestResponse) throws -> [String] {
        try jsonArray(response).compactMap { $0["endpoint"] as? String }
    }

    @Test("pages of two follow the Link header to the end; X-Total-Count counts every page")
    func paging() async throws {
        var uri: String? = "/api/v1/endpoints?limit=2"
        var seen: [String] = []
        var pages = 0
        while let next = uri {
            let response = try await get(next)
            #expect(response.status == .ok)
            #expect(response.headers[.init("X-Total-Count")!] == "4")
            seen += try names(response)
            pages += 1
            uri = response.headers[.init("Link")!].flatMap { link in
                link.split(separator: ";").first.map { String($0.dropFirst().dropLast()) }
            }
        }
        #expect(pages == 2)
        #expect(seen == ["alpha", "beta", "gamma", "urn:imei:490154203237518"])
    }

    @Test("filters: online, name (contains, any case), object; they apply before the page")
    func filters() async throws {
        #expect(try names(try await get("/api/v1/endpoints?online=false")) == ["gamma"])
        #expect(try names(try await get("/api/v1/endpoints?name=IMEI")) == ["urn:imei:490154203237518"])
        #expect(try names(try await get("/api/v1/endpoints?object=5")) == ["alpha"])
        let page = try await get("/api/v1/endpoints?online=true&limit=1")
        #expect(try names(page) == ["alpha"])
        #expect(page.headers[.init("X-Total-Count")!] == "3")
        #expect(page.headers[.init("Link")!]?.contains("online=true") == true)
        #expect(try names(try await get("/api/v1/endpoints")).count == 4, "no limit: every endpoint, one array")
    }

    @Test("any base64url cursor is a position in the name order, even one that is no UTF-8")
    func anyCursor() async throws {
        let afterAlpha = EndpointListQuery.cursor(after: "alpha")
        #expect(try names(try await get("/api/v1/endpoints?cursor=\(afterAlpha)")) == ["beta", "gamma", "urn:imei:490154203237518"])
        let notUTF8 = try await get("/api/v1/endpoints?cursor=_w")  // 0xFF: after every name here
        #expect(notUTF8.status == .ok)
        #expect(try names(notUTF8) == [])
    }

    @Test("presence without a dispatcher follows the stored online flag; nothing is awake or sleeping")
    func presenceWithoutDispatcher() async throws {
        #expect(try names(try await get("/api/v1/endpoints?presence=offline")) == ["gamma"])
        #expect(try names(try await get("/api/v1/endpoints?presence=online")).count == 3)
        #expect(try names(try await get("/api/v1/endpoints?presence=online&online=false")) == [])
        #expect(try names(try await get("/api/v1/endpoints?presence=sleeping")) == [])
        #expect(try await get("/api/v1/endpoints?presence=awake&limit=1").headers[.init("X-Total-Count")!] == "0")
    }

    @Test("presence with the dispatcher's names: a state is its set of names, offline is every name not registered")
    func presenceFilter() throws {
        let names: [EndpointPresence: Set<String>] = [.online: ["a"], .awake: ["b"], .sleeping: ["c", "d"]]
        func filter(_ query: String) throws -> EndpointFilter {
            try EndpointListQuery(Request(
                head: .init(method: .get, scheme: "http", authority: "x", path: "/api/v1/endpoints?\(query)"),
                body: .init(buffer: .init()))).filter(presenceNames: names)
        }
        #expect(try filter("presence=sleeping").names == ["c", "d"])
        #expect(try filter("presence=awake&name=B").names == ["b"])
        #expect(try filter("presence=awake&name=B").nameContains == "B")
        #expect(try filter("presence=offline").excludedNames == ["a", "b", "c", "d"])
        #expect(try filter("presence=offline").names == nil)
        #expect(try filter("object=3303&online=true") == EndpointFilter(online: true, objectID: 3303))
    }

    @Test("bad or unknown parameters: 400 invalid-query-parameter", arguments: [
        "limit=0", "limit=1001", "limit=x", "cursor=%%%", "cursor=A", "cursor=a+b", "presence=asleep", "object=70000", "online=yes", "page=2",
    ])
    func badParameters(query: String) async throws {
        let response = try await get("/api/v1/endpoints?\(query)")
        #expect(response.status == .badRequest)
        #expect(try problem(response).type.hasSuffix("invalid-query-parameter"))
    }
}
