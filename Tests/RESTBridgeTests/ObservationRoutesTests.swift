import Foundation
import Hummingbird
import HummingbirdTesting
import LwM2M
import ResourceModel
import Testing

@testable import RESTBridge

@Suite("Observation routes")
struct ObservationRoutesTests {
    static let base = "/api/v1/endpoints/alpha/observations"

    @Test("POST observes (201), GET lists, DELETE by body and by query cancels (200)")
    func lifecycle() async throws {
        let database = try await makeSeededDatabase()
        let fake = FakeObservationManagement()
        let app = buildApplication(
            configuration: RESTConfiguration(host: "127.0.0.1", port: 0, apiToken: testToken), stores: database.stores,
            deviceManagement: FakeDeviceManagement(), observations: fake, logger: quietLogger)
        try await app.test(.router) { client in
            let created = try await client.execute(
                uri: Self.base + "?timeout=9&format=senml-cbor", method: .post, headers: authorized,
                body: ByteBuffer(string: #"{"paths":["/3303/0/5700","/3304/0/5700"],"attributes":{"pmin":1,"pmax":10}}"#))
            #expect(created.status == .created)
            let made = try jsonArray(created)
            #expect(made.map { $0["id"] as? String } == ["obs-1", "obs-2"])
            #expect(made.map { $0["paths"] as? [String] } == [["/3303/0/5700"], ["/3304/0/5700"]])
            #expect(made.first?["format"] as? String == "application/senml+cbor")
            #expect(made.first?["token"] as? String == "0a01")
            #expect((made.first?["attributes"] as? [String: Int]) == ["pmin": 1, "pmax": 10])
            #expect(fake.calls.first == .observe(
                endpoint: "alpha", paths: [try LwM2MPath("/3303/0/5700"), try LwM2MPath("/3304/0/5700")], composite: false,
                attributes: NotificationAttributes(pmin: 1, pmax: 10), format: .senmlCBOR, timeout: .seconds(9)))

            let list = try await client.execute(uri: Self.base, method: .get, headers: authorized)
            #expect(try jsonArray(list).map { $0["id"] as? String } == ["obs-1", "obs-2"])

            let byBody = try await client.execute(
                uri: Self.base, method: .delete, headers: authorized, body: ByteBuffer(string: #"{"paths":["/3304/0/5700"]}"#))
            #expect(byBody.status == .ok)
            #expect(try jsonArray(byBody).map { $0["id"] as? String } == ["obs-2"])
            let byQuery = try await client.execute(uri: Self.base + "?paths=/3303/0/5700", method: .delete, headers: authorized)
            #expect(try jsonArray(byQuery).map { $0["id"] as? String } == ["obs-1"])
            // Paths in the query and in the body: a 400 (the body is checked, not dropped), nothing cancelled.
            let both = try await client.execute(
                uri: Self.base + "?paths=/3303/0/5700", method: .delete, headers: authorized,
                body: ByteBuffer(string: #"{"paths":["/3304/0/5700"]}"#))
            #expect(both.status == .badRequest)
            #expect(try problem(both).detail?.contains("not in both") == true)
            let all = try await client.execute(uri: Self.base, method: .delete, headers: authorized)
            #expect(String(buffer: all.body) == "[]")
            #expect(fake.calls.last == .cancel(endpoint: "alpha", paths: [], timeout: .seconds(5)))
        }
    }

    @Test("device errors map like the device-management routes", arguments: [
        (DeviceRequestError(.offline, "asleep"), 409, "endpoint-offline"),
        (DeviceRequestError(.unknownEndpoint, "who"), 404, "endpoint-not-found"),
        (DeviceRequestError(.timeout, "slow"), 504, "device-timeout"),
        (DeviceRequestError(.deviceError, "no", coapCode: .notFound), 404, "device-error"),
    ])
    func errors(error: DeviceRequestError, status: Int, type: String) async throws {
        let database = try await makeSeededDatabase()
        for method in [HTTPRequest.Method.post, .delete] {
            let response = try await send(
                method, Self.base, body: #"{"paths":["/3303/0/5700"]}"#, database: database,
                observations: FakeObservationManagement(failing: error))
            #expect(response.status.code == status)
            #expect(try problem(response).type == "https://lwm2m.dev/problems/" + type)
        }
    }

    @Test("bad bodies are 400; without observation management 503")
    func badRequests() async throws {
        let database = try await makeSeededDatabase()
        for body in [#"{"paths":[]}"#, #"{"paths":["/3303/0/5700"],"composite":"yes"}"#, #"{}"#, "nope", #"{"paths":["/"]}"#] {
            let response = try await send(.post, Self.base, body: body, database: database, observations: FakeObservationManagement())
            #expect(response.status == .badRequest, "\(body)")
        }
        let unavailable = try await send(.get, Self.base, database: database)
        #expect(unavailable.status == .serviceUnavailable)
    }
}
