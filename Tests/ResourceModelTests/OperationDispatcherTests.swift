import Foundation
import LwM2M
import Synchronization
import Testing

@testable import ResourceModel

/// A device-management fake for the dispatcher: records each request with its endpoint and answers from a
/// closure (unit tests only; the end-to-end tests use real devices).
final class RecordingDevices: DeviceManagement {
    typealias Answer = @Sendable (String, DeviceRequest) async -> Result<DeviceResponse, DeviceRequestError>

    let objectModel = ObjectModelRegistry()
    private let answer: Answer
    private let recorded = Mutex<[(endpoint: String, request: DeviceRequest)]>([])

    init(answer: @escaping Answer = { _, _ in .success(.changed) }) {
        self.answer = answer
    }

    var calls: [(endpoint: String, request: DeviceRequest)] { recorded.withLock { $0 } }

    func send(_ request: DeviceRequest, to endpoint: String, format: ContentFormat?, timeout: Duration)
        async throws(DeviceRequestError) -> DeviceResponse
    {
        recorded.withLock { $0.append((endpoint, request)) }
        return try await answer(endpoint, request).get()
    }
}

/// A clock the test moves.
final class ManualClock: Sendable {
    private let now = Mutex(t0)
    func read() -> Date { now.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite("Operation dispatcher")
struct OperationDispatcherTests {
    struct Harness {
        let database: AppDatabase
        let devices: RecordingDevices
        let dispatcher: OperationDispatcher
        let clock: ManualClock
        let hub: LiveEventHub
        let events: AsyncStream<RegistrationEvent>.Continuation
        let task: Task<Void, any Error>

        func stop() async {
            task.cancel()
            _ = await task.result
        }
    }

    static func harness(endpoints: [String] = ["dev-1"], devices: RecordingDevices = RecordingDevices(),
                        configuration: OperationDispatcherConfiguration = .init(
                            awakeWindow: 10, sweepInterval: .milliseconds(20),
                            retryPolicy: .init(baseDelay: 1, maxDelay: 5, jitter: 0)),
                        start: Bool = true) async throws -> Harness {
        let database = try AppDatabase.inMemory()
        try await database.apply(endpoints.enumerated().map {
            .registered(makeRegistration(endpoint: $0.element, id: "reg-\($0.offset)"), replaced: nil)
        })
        let clock = ManualClock()
        let hub = LiveEventHub()
        let (stream, continuation) = AsyncStream.makeStream(of: RegistrationEvent.self)
        let dispatcher = OperationDispatcher(
            store: database, deviceManagement: devices, observations: nil, registrationEvents: stream, hub: hub,
            configuration: configuration, logger: quietLogger, clock: { clock.read() })
        let task = Task { if start { try await dispatcher.run() } }
        return Harness(database: database, devices: devices, dispatcher: dispatcher, clock: clock, hub: hub,
                       events: continuation, task: task)
    }

    static func registration(_ endpoint: String, queueMode: Bool, id: String = "reg-q") -> Registration {
        var registration = makeRegistration(endpoint: endpoint, id: id, binding: queueMode ? "UQ" : "U")
        registration.queueMode = queueMode
        return registration
    }

    /// Waits (up to 5 s) until `condition` holds.
    static func eventually(_ what: Comment, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<500 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("timed out waiting: \(what)")
    }

    static func read(_ path: String) throws -> OperationRequest { .device(try sentRead(path)) }

    static func sentRead(_ path: String) throws -> DeviceRequest { .read(try LwM2MPath(path)) }

    @Test("an online device gets queued operations at once, most urgent first, one at a time")
    func onlineInPriorityOrder() async throws {
        let inFlight = Mutex(0)
        let maxInFlight = Mutex(0)
        let devices = RecordingDevices { _, _ in
            let now = inFlight.withLock { $0 += 1; return $0 }
            maxInFlight.withLock { $0 = max($0, now) }
            try? await Task.sleep(for: .milliseconds(5))
            inFlight.withLock { $0 -= 1 }
            return .success(.changed)
        }
        let h = try await Self.harness(devices: devices, start: false)
        h.dispatcher.restore([Self.registration("dev-1", queueMode: false)])
        for (index, priority) in [1, 5, 3, 5].enumerated() {
            _ = try await h.dispatcher.enqueue(
                NewOperation(request: try Self.read("/3/0/\(index)"), priority: priority), for: ["dev-1"])
        }
        let task = Task { try await h.dispatcher.run() }
        try await Self.eventually("all four sent") { h.devices.calls.count == 4 }
        #expect(h.devices.calls.map(\.request) == [
            try Self.sentRead("/3/0/1"), try Self.sentRead("/3/0/3"), try Self.sentRead("/3/0/2"),
            try Self.sentRead("/3/0/0"),
        ])
        #expect(maxInFlight.withLock { $0 } == 1)
        try await Self.eventually("all succeeded") {
            try await h.database.operations(status: .succeeded).count == 4
        }
        task.cancel()
        _ = await task.result
    }

    @Test("a queue-mode device gets nothing while asleep, everything when it registers or updates, then sleeps")
    func queueModeWindow() async throws {
        let h = try await Self.harness()
        let live = h.hub.subscribe(endpoint: "dev-1")
        h.dispatcher.restore([Self.registration("dev-1", queueMode: true)])
        #expect(h.dispatcher.presence(of: "dev-1") == .sleeping)
        let operations = try await h.dispatcher.enqueue(NewOperation(request: try Self.read("/3/0/0")), for: ["dev-1"])
        try await Task.sleep(for: .milliseconds(100))
        #expect(h.devices.calls.isEmpty)
        #expect(try await h.database.operation(id: operations[0].id)?.operation.status == .queued)

        h.events.yield(.updated(Self.registration("dev-1", queueMode: true)))
        try await Self.eventually("sent on wake-up") { h.devices.calls.count == 1 }
        try await Self.eventually("succeeded") {
            try await h.database.operation(id: operations[0].id)?.operation.status == .succeeded
        }
        #expect(h.dispatcher.presence(of: "dev-1") == .awake)
        h.clock.advance(11)
        try await Self.eventually("asleep after the window") { h.dispatcher.presence(of: "dev-1") == .sleeping }

        var names: [LiveEvent.Name] = []
        for await event in live {
            names.append(event.name)
            if event.name == .sleeping { break }
        }
        #expect(names == [.operation, .awake, .operation, .operation, .sleeping])
        await h.stop()
    }

    @Test("a DTLS device restored after a restart gets nothing until it registers or updates, then is online")
    func restoredDTLSDeviceWaitsForContact() async throws {
        let h = try await Self.harness()
        var registration = Self.registration("dev-1", queueMode: false)
        registration.transport = .dtls
        h.dispatcher.restore([registration])
        // Not queue mode, yet unreachable: the server cannot open a DTLS session to it.
        #expect(h.dispatcher.presence(of: "dev-1") == .sleeping)
        let operations = try await h.dispatcher.enqueue(NewOperation(request: try Self.read("/3/0/0")), for: ["dev-1"])
        // Neither a notification (it may come from anywhere) nor time makes it reachable.
        h.dispatcher.deviceActive("dev-1")
        h.clock.advance(3600)
        try await Task.sleep(for: .milliseconds(100))
        #expect(h.devices.calls.isEmpty)
        #expect(try await h.database.operation(id: operations[0].id)?.operation.status == .queued)

        h.events.yield(.updated(registration))
        try await Self.eventually("sent once it talked over DTLS") { h.devices.calls.count == 1 }
        #expect(h.dispatcher.presence(of: "dev-1") == .online)
        // A plain-UDP device restored the same way is online at once.
        h.dispatcher.restore([Self.registration("dev-2", queueMode: false, id: "reg-2")])
        #expect(h.dispatcher.presence(of: "dev-2") == .online)
        await h.stop()
    }

    @Test("a notification or Send wakes a queue-mode device")
    func activityWakes() async throws {
        let h = try await Self.harness()
        h.dispatcher.restore([Self.registration("dev-1", queueMode: true)])
        _ = try await h.dispatcher.enqueue(NewOperation(request: try Self.read("/3/0/0")), for: ["dev-1"])
        h.dispatcher.deviceActive("dev-1")
        try await Self.eventually("sent") { h.devices.calls.count == 1 }
        await h.stop()
    }

    @Test("a queue-mode device that does not answer is asleep; an online one stays online")
    func unresponsive() async throws {
        let h = try await Self.harness(endpoints: ["dev-1", "dev-2"], start: false)
        h.dispatcher.handle(.registered(Self.registration("dev-1", queueMode: true), replaced: nil))
        h.dispatcher.handle(.registered(Self.registration("dev-2", queueMode: false, id: "r2"), replaced: nil))
        #expect(h.dispatcher.presence(of: "dev-1") == .awake)
        h.dispatcher.deviceUnresponsive("dev-1")
        h.dispatcher.deviceUnresponsive("dev-2")
        #expect(h.dispatcher.presence(of: "dev-1") == .sleeping)
        #expect(h.dispatcher.presence(of: "dev-2") == .online)
        h.dispatcher.handle(.deregistered(Self.registration("dev-2", queueMode: false, id: "r2")))
        #expect(h.dispatcher.presence(of: "dev-2") == .offline)
    }

    @Test("an expired operation is never sent; a cancelled one neither")
    func expiredAndCancelled() async throws {
        let h = try await Self.harness()
        h.dispatcher.restore([Self.registration("dev-1", queueMode: true)])
        let expiring = try await h.dispatcher.enqueue(
            NewOperation(request: try Self.read("/3/0/1"), expiresAt: t0.addingTimeInterval(5)), for: ["dev-1"])[0]
        let cancelled = try await h.dispatcher.enqueue(NewOperation(request: try Self.read("/3/0/2")), for: ["dev-1"])[0]
        let kept = try await h.dispatcher.enqueue(NewOperation(request: try Self.read("/3/0/3")), for: ["dev-1"])[0]
        let cancel = try #require(try await h.dispatcher.cancel(id: cancelled.id))
        #expect(cancel.operation.status == .cancelled)
        h.clock.advance(6)
        try await Self.eventually("expired by the sweep") {
            try await h.database.operation(id: expiring.id)?.operation.status == .expired
        }
        h.events.yield(.registered(Self.registration("dev-1", queueMode: true), replaced: nil))
        try await Self.eventually("the kept one succeeded") {
            try await h.database.operation(id: kept.id)?.operation.status == .succeeded
        }
        #expect(h.devices.calls.map(\.request) == [try Self.sentRead("/3/0/3")])
        // Cancelling what is final is refused and changes nothing.
        let again = try #require(try await h.dispatcher.cancel(id: kept.id))
        guard case .rejected = again.action else { Issue.record("cancel of a succeeded operation applied"); return }
        #expect(again.operation.status == .succeeded)
        await h.stop()
    }

    @Test("a timeout retries an idempotent operation after its back-off and fails an Execute")
    func timeouts() async throws {
        let failures = Mutex(0)
        let devices = RecordingDevices { _, request in
            if case .read = request, failures.withLock({ $0 += 1; return $0 }) == 1 {
                return .failure(DeviceRequestError(.timeout, "no answer"))
            }
            if case .execute = request { return .failure(DeviceRequestError(.timeout, "no answer")) }
            return .success(.changed)
        }
        let h = try await Self.harness(devices: devices)
        h.events.yield(.registered(Self.registration("dev-1", queueMode: false), replaced: nil))
        let read = try await h.dispatcher.enqueue(NewOperation(request: try Self.read("/3/0/0"), maxAttempts: 3), for: ["dev-1"])[0]
        let execute = try await h.dispatcher.enqueue(
            NewOperation(request: .device(.execute(try LwM2MPath("/3/0/4"), arguments: nil)), maxAttempts: 3),
            for: ["dev-1"])[0]
        try await Self.eventually("the execute failed") {
            try await h.database.operation(id: execute.id)?.operation.status == .failed
        }
        try await Self.eventually("the read is waiting for its retry") {
            try await h.database.operation(id: read.id)?.operation.status == .queued
        }
        #expect(h.devices.calls.count == 2)
        h.clock.advance(1)
        try await Self.eventually("the read succeeded on its second attempt") {
            try await h.database.operation(id: read.id)?.operation.status == .succeeded
        }
        #expect(try await h.database.operation(id: read.id)?.operation.attempts == 2)
        #expect(h.devices.calls.filter { if case .execute = $0.request { true } else { false } }.count == 1)
        await h.stop()
    }

    @Test("restart recovery: a write left sending is sent again, an execute left sending fails unsent")
    func recovery() async throws {
        let h = try await Self.harness(start: false)
        let write = try await h.database.enqueue(
            NewOperation(request: .device(.write(try LwM2MPath("/1/0/1"), .resource(.single(id: 1, value: .integer(60))), mode: .replace))),
            for: ["dev-1"], at: t0)[0]
        let execute = try await h.database.enqueue(
            NewOperation(request: .device(.execute(try LwM2MPath("/3/0/4"), arguments: nil)), priority: 1),
            for: ["dev-1"], at: t0)[0]
        // The previous run claimed both and died before any answer.
        _ = try await h.database.claimNextOperation(endpoint: "dev-1", at: t0, retryPolicy: .init())
        _ = try await h.database.claimNextOperation(endpoint: "dev-1", at: t0, retryPolicy: .init())
        #expect(try await h.database.operations(status: .sending).count == 2)

        h.dispatcher.restore([Self.registration("dev-1", queueMode: false)])
        let task = Task { try await h.dispatcher.run() }
        try await Self.eventually("the write succeeded") {
            try await h.database.operation(id: write.id)?.operation.status == .succeeded
        }
        let (failed, history) = try #require(try await h.database.operation(id: execute.id))
        #expect(failed.status == .failed)
        #expect(history.last?.note?.contains("at-most-once") == true)
        #expect(h.devices.calls.map(\.endpoint) == ["dev-1"])
        if case .write = h.devices.calls.first?.request {} else { Issue.record("expected only the write to be sent") }
        task.cancel()
        _ = await task.result
    }

    @Test("the global limit bounds operations in flight over all endpoints")
    func globalLimit() async throws {
        let inFlight = Mutex(0)
        let maxInFlight = Mutex(0)
        let devices = RecordingDevices { _, _ in
            let now = inFlight.withLock { $0 += 1; return $0 }
            maxInFlight.withLock { $0 = max($0, now) }
            try? await Task.sleep(for: .milliseconds(20))
            inFlight.withLock { $0 -= 1 }
            return .success(.changed)
        }
        let names = (1...8).map { "dev-\($0)" }
        let h = try await Self.harness(
            endpoints: names, devices: devices,
            configuration: .init(globalLimit: 3, sweepInterval: .milliseconds(20)))
        h.dispatcher.restore(names.enumerated().map { Self.registration($0.element, queueMode: false, id: "r\($0.offset)") })
        _ = try await h.dispatcher.enqueue(NewOperation(request: try Self.read("/3/0/0")), for: names)
        _ = try await h.dispatcher.enqueue(NewOperation(request: try Self.read("/3/0/1")), for: names)
        try await Self.eventually("all sent") { try await h.database.operations(status: .succeeded).count == 16 }
        #expect(maxInFlight.withLock { $0 } <= 3)
        #expect(maxInFlight.withLock { $0 } >= 2)
        await h.stop()
    }
}
