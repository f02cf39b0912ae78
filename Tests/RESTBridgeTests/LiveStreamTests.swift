import Foundation
import Hummingbird
import HummingbirdTesting
import LwM2M
import ResourceModel
import Testing

@testable import RESTBridge

@Suite("Live stream (SSE and WebSocket)")
struct LiveStreamTests {
    static let notification = LiveEvent(
        name: .notification, endpoint: "alpha", time: t0,
        payload: .values(observationID: "obs-1", values: [ReportedValue(path: try! LwM2MPath("/3303/0/5700"), value: .float(21.5))]))
    static let notificationJSON =
        #"{"endpoint":"alpha","event":"NOTIFICATION","observationId":"obs-1","time":"2026-11-23T01:02:03.456Z","#
        + #""values":[{"path":"/3303/0/5700","timestamp":"2026-11-23T01:02:03.456Z","type":"float","value":21.5}]}"#

    static func makeApp(database: AppDatabase, hub: LiveEventHub) -> some ApplicationProtocol {
        buildApplication(
            configuration: RESTConfiguration(host: "127.0.0.1", port: 0, apiToken: testToken), stores: database.stores,
            deviceManagement: FakeDeviceManagement(), liveEvents: hub, logger: quietLogger)
    }

    /// Waits until `hub` has `count` subscribers (at most 5 s).
    static func waitForSubscribers(_ hub: LiveEventHub, _ count: Int) async throws {
        for _ in 0..<500 where hub.subscriberCount < count {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(hub.subscriberCount == count)
    }

    @Test("SSE: event and data lines per event, filtered by endpoint, ends when the hub finishes")
    func serverSentEvents() async throws {
        let hub = LiveEventHub.forLiveStream()
        let app = Self.makeApp(database: try await makeSeededDatabase(), hub: hub)
        try await app.test(.router) { client in
            async let streamed = client.execute(uri: "/api/v1/stream?endpoint=alpha", method: .get, headers: authorized)
            try await Self.waitForSubscribers(hub, 1)
            hub.publish(Self.notification)
            hub.publish(.registered(makeRegistration(endpoint: "beta", id: "b9"), replaced: nil))  // filtered out
            hub.publishPresence(endpoint: "alpha", awake: true, at: t0)
            hub.finishAll()
            let response = try await streamed
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            #expect(String(buffer: response.body) == """
                : connected

                event: NOTIFICATION
                data: \(Self.notificationJSON)

                event: AWAKE
                data: {"endpoint":"alpha","event":"AWAKE","time":"2026-11-23T01:02:03.456Z"}


                """)
        }
    }

    @Test("SSE needs the bearer token; without a hub it is 503")
    func streamAuth() async throws {
        let database = try await makeSeededDatabase()
        let unauthorized = try await send(.get, "/api/v1/stream", headers: [:], database: database, hub: LiveEventHub.forLiveStream())
        #expect(unauthorized.status == .unauthorized)
        let unavailable = try await send(.get, "/api/v1/stream", database: database)
        #expect(unavailable.status == .serviceUnavailable)
        let plain = try await send(.get, "/api/v1/ws", database: database, hub: LiveEventHub.forLiveStream())
        #expect(plain.status == .upgradeRequired)
        let badFilter = try await send(.get, "/api/v1/stream?events=OPERATION,LUNCH", database: database, hub: LiveEventHub.forLiveStream())
        #expect(badFilter.status == .badRequest)
        #expect(try problem(badFilter).type == "https://lwm2m.dev/problems/invalid-query-parameter")
    }

    @Test("the ingest's notifications reach SSE subscribers")
    func ingestToStream() async throws {
        let hub = LiveEventHub.forLiveStream()
        let database = try await makeSeededDatabase()
        let ingest = TelemetryIngest(store: database, hub: hub, logger: quietLogger)
        let app = Self.makeApp(database: database, hub: hub)
        try await app.test(.router) { client in
            async let streamed = client.execute(uri: "/api/v1/stream", method: .get, headers: authorized)
            try await Self.waitForSubscribers(hub, 1)
            _ = ingest.submit(DeviceReport(
                endpoint: "alpha", kind: .send, receivedAt: t0,
                values: [ReportedValue(path: try LwM2MPath("/3/0/9"), value: .integer(77), timestamp: t0.addingTimeInterval(-1))]))
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await ingest.run() }
                await ingest.waitUntilProcessed(1)
                group.cancelAll()
            }
            hub.finishAll()
            let body = String(buffer: try await streamed.body)
            #expect(body.contains("event: SEND\ndata: "))
            #expect(body.contains(#""values":[{"path":"/3/0/9","timestamp":"2026-11-23T01:02:02.456Z","type":"integer","value":77}]"#))
        }
    }

    @Test("WebSocket: each event is one text message with the same JSON; a wrong token is closed with 4401")
    func webSocket() async throws {
        let hub = LiveEventHub.forLiveStream()
        let app = Self.makeApp(database: try await makeSeededDatabase(), hub: hub)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let refused = try RawWebSocketClient(port: port)
            let refusal = try await onOwnThread {
                try refused.upgrade(path: "/api/v1/ws", headers: ["Authorization": "Bearer wrong"])
            }
            // A refused connection is upgraded and closed at once with 4000 + the HTTP status and the reason
            // (hummingbird-websocket would answer a declined upgrade with a bare 400).
            #expect(refusal.hasPrefix("HTTP/1.1 101"))
            let closed = await #expect(throws: FixtureError.self) { try await onOwnThread { try refused.readText() } }
            #expect(closed?.description == "closed by the server: 4401 The bearer token is not valid.")
            #expect(hub.subscriberCount == 0)
            // An unknown event name: 4400.
            let badFilter = try RawWebSocketClient(port: port)
            let badAnswer = try await onOwnThread {
                try badFilter.upgrade(path: "/api/v1/ws?events=LUNCH", headers: ["Authorization": "Bearer \(testToken)"])
            }
            #expect(badAnswer.hasPrefix("HTTP/1.1 101"))
            let badClose = await #expect(throws: FixtureError.self) { try await onOwnThread { try badFilter.readText() } }
            #expect(badClose?.description.hasPrefix("closed by the server: 4400 ") == true, "\(String(describing: badClose))")
            #expect(hub.subscriberCount == 0)

            let socket = try RawWebSocketClient(port: port)
            let head = try await onOwnThread {
                try socket.upgrade(
                    path: "/api/v1/ws?endpoint=alpha&events=NOTIFICATION", headers: ["Authorization": "Bearer \(testToken)"])
            }
            #expect(head.hasPrefix("HTTP/1.1 101"))
            try await Self.waitForSubscribers(hub, 1)
            hub.publish(.registered(makeRegistration(endpoint: "beta", id: "b9"), replaced: nil))  // filtered out
            hub.publish(.registered(makeRegistration(endpoint: "alpha", id: "a9"), replaced: nil))  // filtered out
            hub.publish(Self.notification)
            #expect(try await onOwnThread { try socket.readText() } == Self.notificationJSON)
            hub.finishAll()
        }
    }
}
