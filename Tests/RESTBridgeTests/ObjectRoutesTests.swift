import Foundation
import Hummingbird
import HummingbirdTesting
import LwM2M
import Testing

@testable import RESTBridge

@Suite("GET /api/v1/objects")
struct ObjectRoutesTests {
    @Test("lists the newest version of every object, sorted by id")
    func list() async throws {
        let response = try await send(.get, "/api/v1/objects", devices: FakeDeviceManagement())
        #expect(response.status == .ok)
        #expect(text(response) == """
            [{"id":3,"mandatory":true,"multipleInstances":false,"name":"Device","version":"1.2"},\
            {"id":3303,"mandatory":false,"multipleInstances":true,"name":"Temperature","version":"1.1"},\
            {"id":30000,"mandatory":false,"multipleInstances":true,"name":"Types","version":"1.0"}]
            """)
    }

    @Test("one object with its resources sorted by id")
    func show() async throws {
        let response = try await send(.get, "/api/v1/objects/3", devices: FakeDeviceManagement())
        #expect(response.status == .ok)
        let object = try jsonObject(response)
        #expect(object["id"] as? Int == 3)
        #expect(object["name"] as? String == "Device")
        #expect(object["version"] as? String == "1.2")
        #expect(object["lwm2mVersion"] as? String == "1.1")
        #expect(object["urn"] as? String == "urn:oma:lwm2m:oma:3:1.2")
        #expect(object["description"] as? String == "Device description")
        let resources = try #require(object["resources"] as? [[String: Any]])
        #expect(resources.map { $0["id"] as? Int } == [0, 4, 6, 9, 13, 14])
        let battery = try JSONSerialization.data(withJSONObject: resources[3], options: [.sortedKeys, .withoutEscapingSlashes])
        #expect(String(decoding: battery, as: UTF8.self) == """
            {"description":"Battery Level description","id":9,"mandatory":false,"multiple":false,"name":"Battery Level",\
            "operations":"R","range":"0..100","type":"integer","units":"%"}
            """)
        #expect(resources.map { $0["operations"] as? String } == ["R", "E", "R", "R", "RW", "RW"])
        #expect(resources.map { $0["type"] as? String } == ["string", "none", "integer", "integer", "time", "string"])
        #expect(resources.map { $0["multiple"] as? Bool } == [false, false, true, false, false, false])
        #expect(resources.map { $0["mandatory"] as? Bool } == [false, true, false, false, false, false])
    }

    @Test("an unknown or malformed object id is a 404 problem", arguments: ["4", "65536", "abc", "03"])
    func unknown(id: String) async throws {
        let response = try await send(.get, "/api/v1/objects/\(id)", devices: FakeDeviceManagement())
        #expect(response.status == .notFound)
        #expect(try problem(response) == ProblemBody(
            type: "https://lwm2m.dev/problems/object-not-found", title: "Object not found", status: 404,
            detail: "The object model has no object \(id).", instance: "/api/v1/objects/\(id)"))
    }
}
