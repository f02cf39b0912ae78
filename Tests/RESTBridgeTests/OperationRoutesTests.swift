import Foundation
import Hummingbird
import HummingbirdTesting
import LwM2M
import ResourceModel
import Testing

@testable import RESTBridge

/// The operation-queue routes over a real (in-memory) database and a dispatcher that is not running: queued
/// operations stay queued, which is what these tests look at. Sending is covered by the dispatcher's own tests
/// and end to end.
@Suite("Operation routes")
struct OperationRoutesTests {
    struct Setup {
        let database: AppDatabase
        let devices: FakeDeviceManagement
        let dispatcher: OperationDispatcher

        func send(_ method: HTTPRequest.Method, _ uri: String, body: String? = nil, bulkLimit: Int = 10_000)
            async throws -> TestResponse
        {
            let app = buildApplication(
                configuration: RESTConfiguration(
                    host: "127.0.0.1", port: 0, apiToken: testToken, bulkOperationLimit: bulkLimit),
                stores: database.stores, deviceManagement: devices, operations: dispatcher, logger: quietLogger)
            return try await app.test(.router) { client in
                try await client.execute(uri: uri, method: method, headers: authorized, body: body.map { ByteBuffer(string: $0) })
            }
        }

        var queuedCount: Int {
            get async throws { try await database.operations().count }
        }
    }

    /// `alpha` is a sleeping queue-mode device, `beta` an online one.
    static func setup(devices: FakeDeviceManagement = FakeDeviceManagement(answering: .changed)) async throws -> Setup {
        let database = try await makeSeededDatabase()
        let (events, _) = AsyncStream.makeStream(of: RegistrationEvent.self)
        let dispatcher = OperationDispatcher(
            store: database, deviceManagement: devices, observations: nil, registrationEvents: events, hub: nil,
            logger: quietLogger)
        var online = makeRegistration(endpoint: "beta", id: "b1")
        online.queueMode = false
        dispatcher.restore([makeRegistration(endpoint: "alpha", id: "a1"), online])
        return Setup(database: database, devices: devices, dispatcher: dispatcher)
    }

    @Test("POST .../operations queues one: 201, Location, and GET shows it with its history")
    func queueOne() async throws {
        let s = try await Self.setup()
        let created = try await s.send(
            .post, "/api/v1/endpoints/alpha/operations",
            body: #"{"kind":"write","path":"/3/0/14","value":"+02:00","priority":5,"expiresIn":3600,"maxAttempts":2}"#)
        #expect(created.status == .created)
        let body = try jsonObject(created)
        let id = try #require(body["id"] as? Int)
        #expect(body["status"] as? String == "queued")
        #expect(created.headers[.location] == "/api/v1/operations/\(id)")
        let fetched = try jsonObject(try await s.send(.get, "/api/v1/operations/\(id)"))
        #expect(fetched["endpoint"] as? String == "alpha")
        #expect(fetched["kind"] as? String == "write")
        #expect(fetched["path"] as? String == "/3/0/14")
        #expect(fetched["priority"] as? Int == 5)
        #expect(fetched["maxAttempts"] as? Int == 2)
        #expect((fetched["value"] as? [String: Any])?["value"] as? String == "+02:00")
        #expect(fetched["expiresAt"] is String)
        let history = try #require(fetched["history"] as? [[String: Any]])
        #expect(history.map { $0["to"] as? String } == ["queued"])
        let stored = try #require(try await s.database.operation(id: Int64(id)))
        #expect(stored.operation.request == .device(.write(
            try LwM2MPath("/3/0/14"), .resource(.single(id: 14, value: .string("+02:00"))), mode: .replace)))
    }

    @Test("bad operation bodies are 4xx problem+json and queue nothing", arguments: [
        ("ghost", #"{"kind":"read","path":"/3/0/0"}"#, 404, "endpoint-not-found", nil),
        ("alpha", #"{"kind":"reboot","path":"/3/0/4"}"#, 400, "invalid-body", "/kind"),
        ("alpha", #"{"kind":"block-write","path":"/5/0/0"}"#, 400, "invalid-body", "/kind"),
        ("alpha", #"{"path":"/3/0/4"}"#, 400, "invalid-body", "/kind"),
        ("alpha", #"{"kind":"execute","path":"/3/0"}"#, 400, "invalid-body", "/path"),
        ("alpha", #"{"kind":"read","path":"/3/x"}"#, 400, "invalid-body", "/path"),
        ("alpha", #"{"kind":"write","path":"/3/0/14","value":42}"#, 400, "invalid-body", "/value"),
        ("alpha", #"{"kind":"write","path":"/3/0/14"}"#, 400, "invalid-body", "/value"),
        ("alpha", #"{"kind":"read","path":"/3/0/0","arguments":"1"}"#, 400, "invalid-body", "/arguments"),
        ("alpha", #"{"kind":"execute","path":"/3/0/4","arguments":"1,"}"#, 400, "invalid-body", "/arguments"),
        ("alpha", #"{"kind":"read","path":"/3/0/0","maxAttempts":0}"#, 400, "invalid-body", "/maxAttempts"),
        ("alpha", #"{"kind":"read","path":"/3/0/0","expiresIn":-1}"#, 400, "invalid-body", "/expiresIn"),
        ("alpha", #"{"kind":"read","path":"/3/0/0","colour":"red"}"#, 400, "invalid-body", "/colour"),
        ("alpha", #"{"kind":"create","path":"/30000","value":{"resources":[]}}"#, 400, "invalid-body", "/value/id"),
        ("alpha", #"{"kind":"write-attributes","path":"/3/0/9"}"#, 400, "invalid-body", "/attributes"),
        ("alpha", #"{"kind":"composite-write","values":{"/3/0/14":{"value":1}}}"#, 400, "invalid-body", "/values/~13~10~114/value"),
        ("alpha", #"{"kind":"composite-write","values":{"/3/x":{"value":1}}}"#, 400, "invalid-body", "/values/~13~1x"),
        ("alpha", "not json", 400, "invalid-body", nil),
    ] as [(String, String, Int, String, String?)])
    func badBodies(endpoint: String, body: String, status: Int, type: String, pointer: String?) async throws {
        let s = try await Self.setup()
        let response = try await s.send(.post, "/api/v1/endpoints/\(endpoint)/operations", body: body)
        #expect(response.status.code == status)
        #expect(response.headers[.contentType] == "application/problem+json")
        let details = try problem(response)
        #expect(details.type == "https://lwm2m.dev/problems/" + type)
        if let pointer {
            #expect(details.pointer == pointer)
            #expect(details.detail?.contains("'\(pointer)'") == true, "detail and pointer agree")
        }
        #expect(try await s.queuedCount == 0)
    }

    @Test("bulk: a list or a pattern queues one per endpoint; an unknown name or too many queue nothing")
    func bulk() async throws {
        let s = try await Self.setup()
        let listed = try await s.send(
            .post, "/api/v1/operations", body: #"{"endpoints":["alpha","beta"],"kind":"execute","path":"/3/0/4"}"#)
        #expect(listed.status == .created)
        let listedBody = try jsonObject(listed)
        #expect(listedBody["count"] as? Int == 2)
        #expect((listedBody["operations"] as? [[String: Any]])?.map { $0["endpoint"] as? String } == ["alpha", "beta"])

        let unknown = try await s.send(
            .post, "/api/v1/operations", body: #"{"endpoints":["alpha","ghost"],"kind":"read","path":"/3/0/0"}"#)
        #expect(unknown.status == .notFound)
        #expect(try await s.queuedCount == 2)

        let tooMany = try await s.send(
            .post, "/api/v1/operations", body: #"{"endpointPattern":"*","kind":"read","path":"/3/0/0"}"#, bulkLimit: 3)
        #expect(tooMany.status == .badRequest)
        #expect(try problem(tooMany).type == "https://lwm2m.dev/problems/too-many-operations")
        #expect(try await s.queuedCount == 2)

        let pattern = try await s.send(
            .post, "/api/v1/operations", body: #"{"endpointPattern":"*a","kind":"read","path":"/3/0/0","priority":-1}"#)
        #expect(pattern.status == .created)
        // alpha, beta, gamma (de-registered endpoints get the operation when they come back).
        #expect(try jsonObject(pattern)["count"] as? Int == 3)

        let both = try await s.send(
            .post, "/api/v1/operations", body: #"{"endpoints":["alpha"],"endpointPattern":"*","kind":"read","path":"/3/0/0"}"#)
        #expect(both.status == .badRequest)
        let neither = try await s.send(.post, "/api/v1/operations", body: #"{"kind":"read","path":"/3/0/0"}"#)
        #expect(neither.status == .badRequest)
        let noMatch = try await s.send(
            .post, "/api/v1/operations", body: #"{"endpointPattern":"zzz*","kind":"read","path":"/3/0/0"}"#)
        #expect(noMatch.status == .badRequest)
        #expect(try await s.queuedCount == 5)
    }

    @Test("listing filters by endpoint and status and pages by id; DELETE cancels once")
    func listAndCancel() async throws {
        let s = try await Self.setup()
        var ids: [Int] = []
        for path in ["/3/0/0", "/3/0/9", "/3/0/13"] {
            let created = try await s.send(.post, "/api/v1/endpoints/alpha/operations", body: #"{"kind":"read","path":"\#(path)"}"#)
            ids.append(try #require(try jsonObject(created)["id"] as? Int))
        }
        _ = try await s.send(.post, "/api/v1/endpoints/beta/operations", body: #"{"kind":"read","path":"/3/0/0"}"#)

        let cancelled = try await s.send(.delete, "/api/v1/operations/\(ids[1])")
        #expect(cancelled.status == .ok)
        let cancelledBody = try jsonObject(cancelled)
        #expect(cancelledBody["status"] as? String == "cancelled")
        #expect((cancelledBody["history"] as? [[String: Any]])?.map { $0["to"] as? String } == ["queued", "cancelled"])
        let again = try await s.send(.delete, "/api/v1/operations/\(ids[1])")
        #expect(again.status == .conflict)
        #expect(try problem(again).type == "https://lwm2m.dev/problems/operation-not-cancellable")
        #expect(try jsonObject(again)["operationStatus"] as? String == "cancelled")
        #expect(try await s.send(.delete, "/api/v1/operations/999999").status == .notFound)
        #expect(try await s.send(.get, "/api/v1/operations/abc").status == .notFound)

        let queued = try jsonObject(try await s.send(.get, "/api/v1/operations?endpoint=alpha&status=queued"))
        #expect((queued["operations"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [ids[2], ids[0]])
        let forEndpoint = try jsonObject(try await s.send(.get, "/api/v1/endpoints/alpha/operations?limit=2"))
        #expect((forEndpoint["operations"] as? [[String: Any]])?.count == 2)
        let next = try #require(forEndpoint["nextBefore"] as? Int)
        let rest = try jsonObject(try await s.send(.get, "/api/v1/endpoints/alpha/operations?limit=2&before=\(next)"))
        #expect((rest["operations"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [ids[0]])
        #expect(try await s.send(.get, "/api/v1/operations?status=lost").status == .badRequest)
        #expect(try await s.send(.get, "/api/v1/operations?state=queued").status == .badRequest)
        #expect(try await s.send(.get, "/api/v1/operations?endpoint=ghost").status == .notFound)
        #expect(try await s.send(.get, "/api/v1/endpoints/ghost/operations").status == .notFound)
    }

    @Test("a synchronous request for a sleeping device is queued: 202 with the operation; online devices answer at once")
    func sleepingDeviceGets202() async throws {
        let s = try await Self.setup()
        let accepted = try await s.send(.post, "/api/v1/endpoints/alpha/resources/3/0/4/execute?expiresIn=600")
        #expect(accepted.status == .accepted)
        let body = try jsonObject(accepted)
        let id = try #require(body["id"] as? Int)
        #expect(body["status"] as? String == "queued")
        #expect(body["kind"] as? String == "execute")
        #expect(accepted.headers[.location] == "/api/v1/operations/\(id)")
        #expect(s.devices.calls.isEmpty)
        #expect(try await s.database.operation(id: Int64(id))?.operation.expiresAt != nil)

        let read = try await s.send(.get, "/api/v1/endpoints/alpha/composite?paths=/3/0/0,/3/0/9")
        #expect(read.status == .accepted)
        #expect(try jsonObject(read)["kind"] as? String == "composite-read")

        let attributes = try await s.send(.put, "/api/v1/endpoints/alpha/resources/3/0/9/attributes?pmin=10&expiresIn=60")
        #expect(attributes.status == .accepted)
        #expect(try jsonObject(attributes)["kind"] as? String == "write-attributes")

        // HEAD changes nothing: it is sent (the fake answers 2.04, not content: 502), never queued.
        let head = try await s.send(.head, "/api/v1/endpoints/alpha/resources/3/0/0")
        #expect(head.status != .accepted)
        #expect(try await s.queuedCount == 3)

        let direct = try await s.send(.post, "/api/v1/endpoints/beta/resources/3/0/4/execute")
        #expect(direct.status == .noContent)
        #expect(s.devices.calls.count == 2)
        #expect(try await s.queuedCount == 3)
    }
}
