import CoAP
import Foundation
import Logging
import Synchronization
import Testing

@testable import LwM2M

/// A device that stops notifying (it marked the server unreachable, say) leaves an observation that only looks
/// live: the server marks it stale after several `pmax` of silence, or when the device stops answering, shows it,
/// and makes it anew at the device's next Update. The real server and a real CoAP device on loopback, in process,
/// with the server's clock in the test's hands.
@Suite(.serialized)
struct StaleObservationTests {
    let logger = Logger(label: "stale-observations") { _ in SwiftLogNoOpLogHandler() }
    let path = try! LwM2MPath("/3303/0/5700")

    final class Clock: Sendable {
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func advance(by seconds: TimeInterval) { now.withLock { $0 += seconds } }
        var date: Date { now.withLock { $0 } }
    }

    /// Answers Write-Attributes and Observe on `/3303/0/5700`; leaves a Read of `/3/0/0` unanswered.
    final class Device: Sendable {
        final class Record: Sendable {
            let observeRequests = Mutex(0)
            let attributeWrites = Mutex(0)
            let serverSession = Mutex<CoAPSessionID?>(nil)
            /// Tokens of confirmable notifications the server answered with a Reset.
            let resets = Mutex<[[UInt8]]>([])
        }

        let endpoint: CoAPEndpoint
        let record = Record()
        var observeRequests: Int { record.observeRequests.withLock { $0 } }
        var attributeWrites: Int { record.attributeWrites.withLock { $0 } }
        var resets: [[UInt8]] { record.resets.withLock { $0 } }

        init(logger: Logger) {
            let record = record
            endpoint = CoAPEndpoint(configuration: .init(), logger: logger) { inbound in
                record.serverSession.withLock { $0 = inbound.session }
                switch (inbound.request.method, inbound.request.path) {
                case (.put, "/3303/0/5700"):
                    record.attributeWrites.withLock { $0 += 1 }
                    return CoAPResponse(code: .changed)
                case (.get, "/3303/0/5700") where inbound.request.observe == 0:
                    record.observeRequests.withLock { $0 += 1 }
                    return CoAPResponse(code: .content, contentFormat: 0, payload: Array("21.5".utf8), observe: 2)
                case (.get, "/3/0/0"):
                    return nil  // heard, never answered
                default:
                    return .error(.notFound, "")
                }
            } resetHandler: { _, token in
                record.resets.withLock { $0.append(token) }
            }
        }

        /// Registers; returns the session and the registration's location (`rd/<id>`).
        func register(port: UInt16, name: String) async throws -> (CoAPSessionID, [String]) {
            try endpoint.start()
            let session = try await endpoint.connect(host: "127.0.0.1", port: port)
            let answer = try await endpoint.send(
                CoAPRequest(method: .post, uriPath: ["rd"], uriQuery: ["ep=\(name)", "lt=86400", "lwm2m=1.1"],
                            contentFormat: 40, payload: Array("</3303/0>".utf8)),
                on: session)
            #expect(answer.code == .created)
            return (session, answer.locationPath)
        }

        func notify(_ token: [UInt8], value: String) async throws {
            let session = try #require(record.serverSession.withLock { $0 })
            try await endpoint.sendNotification(
                CoAPResponse(code: .content, contentFormat: 0, payload: Array(value.utf8), observe: 3), token: token,
                on: session, confirmable: true)
        }
    }

    final class Reports: Sendable {
        let list = Mutex<[DeviceReport]>([])
        var count: Int { list.withLock { $0.count } }
    }

    func server(clock: Clock, reports: Reports = Reports()) -> LwM2MServer {
        let (model, _, _) = ObjectModelRegistry.loadBuiltin(extraDirectories: [])
        return LwM2MServer(
            configuration: .init(host: "127.0.0.1", coapPort: 0, sweepInterval: .milliseconds(20), staleAfterPmax: 3),
            logger: logger, objectModel: model, reportSink: { report in reports.list.withLock { $0.append(report) }; return true },
            clock: { clock.date })
    }

    func health(_ server: LwM2MServer, _ endpoint: String) async -> [(Observation, ObservationHealth?)] {
        let health = await server.observationHealth(endpoint: endpoint)
        return await server.observations(endpoint: endpoint).map { ($0, health[$0.id]) }
    }

    /// Polls `condition` for up to 5 s.
    func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<250 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out: \(what)")
    }

    @Test func silenceForThreePmaxMarksStaleAndTheNextUpdateReestablishes() async throws {
        let clock = Clock()
        let reports = Reports()
        let server = server(clock: clock, reports: reports)
        try server.start()
        let running = Task { try await server.run() }
        defer { running.cancel() }
        let device = Device(logger: logger)
        defer { device.endpoint.stop() }
        let (session, location) = try await device.register(port: server.boundPort ?? 0, name: "stale-1")

        let made = try await server.observe(
            endpoint: "stale-1", paths: [path], composite: false, attributes: NotificationAttributes(pmax: 10),
            format: ContentFormat.text, timeout: Duration.seconds(5))
        let first = try #require(made.first)
        let madeAt = clock.date
        var listed = await health(server, "stale-1")
        #expect(listed.first?.1 == ObservationHealth(status: .active, lastNotificationAt: madeAt))

        // Three pmax (30 s) of silence is allowed; more is stale.
        clock.advance(by: 29)
        try await Task.sleep(for: .milliseconds(150))
        #expect(await health(server, "stale-1").first?.1?.status == .active)
        clock.advance(by: 2)
        try await eventually("stale after 3 × pmax") { await health(server, "stale-1").first?.1?.status == .stale }
        listed = await health(server, "stale-1")
        #expect(listed.first?.1?.lastNotificationAt == madeAt)
        #expect(listed.first?.1?.staleSince == madeAt.addingTimeInterval(31))
        #expect(listed.first?.1?.staleReason?.contains("3 × pmax") == true)

        // A notification proves it live again.
        try await device.notify(first.token, value: "22.5")
        try await eventually("active again after a notification") {
            await health(server, "stale-1").first?.1?.status == .active
        }
        #expect(await health(server, "stale-1").first?.1?.lastNotificationAt == clock.date)
        #expect(reports.count == 2)

        // Silent again; then the device updates: the observation is made anew, attributes first.
        clock.advance(by: 31)
        try await eventually("stale again") { await health(server, "stale-1").first?.1?.status == .stale }
        #expect(device.observeRequests == 1)
        #expect(device.attributeWrites == 1)
        let update = try await device.endpoint.send(CoAPRequest(method: .post, uriPath: location), on: session)
        #expect(update.code == CoAPCode.changed)
        try await eventually("re-established at the Update") {
            let now = await health(server, "stale-1")
            return now.count == 1 && now.first?.0.id != first.id && now.first?.1?.status == .active
        }
        #expect(device.observeRequests == 2)
        #expect(device.attributeWrites == 2)
        let renewed = try #require(await server.observations(endpoint: "stale-1").first)
        #expect(renewed.paths == [path])
        #expect(renewed.attributes == NotificationAttributes(pmax: 10))
        #expect(renewed.token != first.token)
        // The old token is dead: its notification is refused, the new one's is stored.
        let before = reports.count
        try await device.notify(first.token, value: "99.5")
        try await Task.sleep(for: .milliseconds(200))
        #expect(reports.count == before)
        try await device.notify(renewed.token, value: "23.5")
        try await eventually("the new token's notification is stored") { reports.count == before + 1 }
        // An Update with nothing stale re-makes nothing.
        _ = try await device.endpoint.send(CoAPRequest(method: .post, uriPath: location), on: session)
        try await Task.sleep(for: .milliseconds(200))
        #expect(device.observeRequests == 2)
    }

    @Test func anUnansweredRequestMarksTheDevicesObservationsStale() async throws {
        let clock = Clock()
        let server = server(clock: clock)
        try server.start()
        let running = Task { try await server.run() }
        defer { running.cancel() }
        let device = Device(logger: logger)
        defer { device.endpoint.stop() }
        _ = try await device.register(port: server.boundPort ?? 0, name: "stale-2")
        // No pmax: silence alone never makes it stale.
        _ = try await server.observe(
            endpoint: "stale-2", paths: [path], composite: false, attributes: NotificationAttributes?.none, format: ContentFormat.text, timeout: Duration.seconds(5))
        clock.advance(by: 86_000)
        try await Task.sleep(for: .milliseconds(150))
        #expect(await health(server, "stale-2").first?.1?.status == .active)

        await #expect(throws: DeviceRequestError.self) {
            _ = try await server.send(
                DeviceRequest.read(try LwM2MPath("/3/0/0")), to: "stale-2", format: ContentFormat.text,
                timeout: Duration.milliseconds(500))
        }
        let listed = await health(server, "stale-2")
        #expect(listed.first?.1?.status == .stale)
        #expect(listed.first?.1?.staleReason == "a request to the client went unanswered")
    }

    @Test func tableCountsSilenceFromTheLastNotificationOrTheRestore() throws {
        var table = ObservationTable()
        let t0 = Date(timeIntervalSince1970: 1_000)
        func observation(_ id: String, pmax: Int?, token: UInt8) -> Observation {
            Observation(
                id: id, endpoint: "ep", registrationID: "r", paths: [path], composite: false, token: [token],
                format: .text, attributes: pmax.map { NotificationAttributes(pmax: $0) }, createdAt: t0)
        }
        table.add(observation("a", pmax: 10, token: 1))
        table.add(observation("b", pmax: 10, token: 2), heardAt: t0.addingTimeInterval(100))  // restored later
        table.add(observation("c", pmax: nil, token: 3))
        #expect(table.markSilent(now: t0.addingTimeInterval(30), factor: 3).isEmpty)
        #expect(table.markSilent(now: t0.addingTimeInterval(31), factor: 3).map(\.id) == ["a"])
        #expect(table.markSilent(now: t0.addingTimeInterval(31), factor: 3).isEmpty, "marked once")
        #expect(table.markSilent(now: t0.addingTimeInterval(131), factor: 3).map(\.id) == ["b"])
        #expect(table.markSilent(now: t0.addingTimeInterval(1e6), factor: 0).isEmpty, "0 disables")
        #expect(table.health(token: [3])?.status == .active)
        // Renewal hands out each stale observation once.
        #expect(Set(table.beginRenewal(endpoint: "ep").map(\.id)) == ["a", "b"])
        #expect(table.beginRenewal(endpoint: "ep").isEmpty)
        table.endRenewal(observation("a", pmax: 10, token: 1))
        #expect(table.beginRenewal(endpoint: "ep").map(\.id) == ["a"])
        let wasStale = table.noteNotification(token: [1], at: t0.addingTimeInterval(200))
        #expect(wasStale)
        #expect(table.health(token: [1]) == ObservationHealth(status: .active, lastNotificationAt: t0.addingTimeInterval(200)))
    }
}
