import Foundation
import HummingbirdTesting
import Testing

@testable import RESTBridge

@Suite("Live server")
struct LiveServerTests {
    @Test("binds port 0 and answers over a real socket")
    func portZero() async throws {
        let app = makeApplication(database: try await makeSeededDatabase())
        try await app.test(.live) { client in
            #expect((client.port ?? 0) > 0)
            let health = try await client.execute(uri: "/healthz", method: .get)
            let list = try await client.execute(uri: "/api/v1/endpoints?online=false", method: .get, headers: authorized)
            #expect(health.status == .ok)
            #expect(try jsonArray(list).map { $0["endpoint"] as? String } == ["gamma"])
        }
    }
}
