import Crypto
import FirmwareOTA
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ResourceModel
import Testing

@testable import RESTBridge

/// `POST/GET/DELETE /api/v1/firmware` and `GET /api/v1/firmware/{id}/content` over a real in-memory store and a
/// temporary image directory.
@Suite("Firmware routes")
struct FirmwareRoutesTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fw-routes-\(UUID().uuidString)")

    func application(maxSize: Int64 = 1 << 20) throws -> some ApplicationProtocol {
        let database = try AppDatabase.inMemory()
        let images = try FirmwareImages(directory: directory, store: database.stores.firmware, maxSize: maxSize,
                                        logger: quietLogger)
        return buildApplication(
            configuration: RESTConfiguration(host: "127.0.0.1", port: 0, apiToken: testToken), stores: database.stores,
            deviceManagement: FakeDeviceManagement(), modules: [FirmwareController(images: images)], logger: quietLogger)
    }

    static let octets: HTTPFields = [.authorization: "Bearer \(testToken)", .contentType: "application/octet-stream"]

    static func image(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) }
    }

    static func sha(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    func files() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] }

    @Test("upload (201), the same again (200), list, show, content, delete (204), then 404")
    func lifecycle() async throws {
        let bytes = Self.image(200_000)
        try await application().test(.router) { client in
            let created = try await client.execute(
                uri: "/api/v1/firmware?name=app&version=1.2.0&model=board-7", method: .post, headers: Self.octets,
                body: ByteBuffer(bytes: bytes))
            #expect(created.status == .created)
            let body = try jsonObject(created)
            let id = try #require(body["id"] as? Int)
            #expect(created.headers[.location] == "/api/v1/firmware/\(id)")
            #expect(body["sha256"] as? String == Self.sha(bytes))
            #expect(body["size"] as? Int == 200_000)
            #expect(body["name"] as? String == "app" && body["version"] as? String == "1.2.0")
            #expect(body["model"] as? String == "board-7")
            #expect(body["contentType"] as? String == "application/octet-stream")
            #expect(body["createdAt"] is String)

            let again = try await client.execute(
                uri: "/api/v1/firmware?name=app&version=1.2.0&model=board-7", method: .post, headers: Self.octets,
                body: ByteBuffer(bytes: bytes))
            #expect(again.status == .ok)
            #expect(try jsonObject(again)["id"] as? Int == id)

            let list = try await client.execute(uri: "/api/v1/firmware", method: .get, headers: authorized)
            #expect((try jsonObject(list)["firmware"] as? [[String: Any]])?.map { $0["id"] as? Int } == [id])
            let show = try await client.execute(uri: "/api/v1/firmware/\(id)", method: .get, headers: authorized)
            #expect(try jsonObject(show)["sha256"] as? String == Self.sha(bytes))

            let content = try await client.execute(uri: "/api/v1/firmware/\(id)/content", method: .get, headers: authorized)
            #expect(content.status == .ok)
            #expect(Array(buffer: content.body) == bytes)
            #expect(content.headers[.eTag] == "\"\(Self.sha(bytes))\"")
            #expect(content.headers[.acceptRanges] == "bytes")

            let deleted = try await client.execute(uri: "/api/v1/firmware/\(id)", method: .delete, headers: authorized)
            #expect(deleted.status == .noContent)
            #expect(files().isEmpty)
            let gone = try await client.execute(uri: "/api/v1/firmware/\(id)", method: .get, headers: authorized)
            #expect(gone.status == .notFound)
            #expect(try problem(gone).type.hasSuffix("firmware-not-found"))
        }
    }

    @Test("ranges resume a download: a-b, a-, -n, If-Range and If-Match")
    func ranges() async throws {
        let bytes = Self.image(10_000, seed: 3)
        let etag = "\"\(Self.sha(bytes))\""
        try await application().test(.router) { client in
            let created = try await client.execute(
                uri: "/api/v1/firmware?name=app&version=9", method: .post, headers: Self.octets, body: ByteBuffer(bytes: bytes))
            let id = try #require(try jsonObject(created)["id"] as? Int)
            func get(_ extra: HTTPFields) async throws -> TestResponse {
                var headers = authorized
                headers.append(contentsOf: extra)
                return try await client.execute(uri: "/api/v1/firmware/\(id)/content", method: .get, headers: headers)
            }
            let middle = try await get([.range: "bytes=100-199"])
            #expect(middle.status == .partialContent)
            #expect(Array(buffer: middle.body) == Array(bytes[100...199]))
            #expect(middle.headers[.contentRange] == "bytes 100-199/10000")
            let rest = try await get([.range: "bytes=9000-"])
            #expect(Array(buffer: rest.body) == Array(bytes[9000...]))
            let tail = try await get([.range: "bytes=-10"])
            #expect(Array(buffer: tail.body) == Array(bytes[9990...]))
            let clamped = try await get([.range: "bytes=9990-20000"])
            #expect(clamped.headers[.contentRange] == "bytes 9990-9999/10000")
            let outside = try await get([.range: "bytes=10000-"])
            #expect(outside.status == .rangeNotSatisfiable)
            #expect(outside.headers[.contentRange] == "bytes */10000")
            let stale = try await get([.range: "bytes=0-9", .ifRange: "\"other\""])
            #expect(stale.status == .ok && stale.body.readableBytes == 10_000)
            let fresh = try await get([.range: "bytes=0-9", .ifRange: etag])
            #expect(fresh.status == .partialContent && fresh.body.readableBytes == 10)
            let several = try await get([.range: "bytes=0-1,5-6"])
            #expect(several.status == .ok && several.body.readableBytes == 10_000)
            #expect(try await get([.ifMatch: "\"other\""]).status == .preconditionFailed)
            #expect(try await get([.ifMatch: etag]).status == .ok)
        }
    }

    @Test("bad uploads are problems and store nothing")
    func refused() async throws {
        try await application(maxSize: 1000).test(.router) { client in
            func post(_ query: String, _ bytes: [UInt8], headers: HTTPFields = Self.octets) async throws -> TestResponse {
                try await client.execute(uri: "/api/v1/firmware\(query)", method: .post, headers: headers,
                                         body: ByteBuffer(bytes: bytes))
            }
            let empty = try await post("?name=app&version=1", [])
            #expect(empty.status == .badRequest)
            #expect(try problem(empty).type.hasSuffix("firmware-empty"))
            let large = try await post("?name=app&version=1", Self.image(1001))
            #expect(large.status == .contentTooLarge)
            #expect(try problem(large).type.hasSuffix("firmware-too-large"))
            #expect(try await post("?version=1", Self.image(10)).status == .badRequest)
            #expect(try await post("?name=app", Self.image(10)).status == .badRequest)
            #expect(try await post("?name=&version=1", Self.image(10)).status == .badRequest)
            #expect(try await post("?name=app&version=1&colour=red", Self.image(10)).status == .badRequest)
            let json = try await post("?name=app&version=1", Self.image(10),
                                      headers: [.authorization: "Bearer \(testToken)", .contentType: "application/json"])
            #expect(json.status == .unsupportedMediaType)
            let unauthorized = try await post("?name=app&version=1", Self.image(10),
                                              headers: [.contentType: "application/octet-stream"])
            #expect(unauthorized.status == .unauthorized)
            #expect(files().isEmpty)

            let first = try await post("?name=app&version=1", Self.image(10))
            #expect(first.status == .created)
            let conflict = try await post("?name=app&version=1", Self.image(10, seed: 9))
            #expect(conflict.status == .conflict)
            #expect(try problem(conflict).type.hasSuffix("firmware-version-taken"))
            #expect(files().count == 1)
            let list = try await client.execute(uri: "/api/v1/firmware", method: .get, headers: authorized)
            #expect((try jsonObject(list)["firmware"] as? [Any])?.count == 1)
            let unknown = try await client.execute(uri: "/api/v1/firmware/77", method: .delete, headers: authorized)
            #expect(unknown.status == .notFound)
            let notANumber = try await client.execute(uri: "/api/v1/firmware/abc/content", method: .get, headers: authorized)
            #expect(notANumber.status == .notFound)
        }
    }
}
