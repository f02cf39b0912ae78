import Foundation
import LwM2M
import Testing

@testable import ResourceModel

@Suite("RegistrationRecorder")
struct RegistrationRecorderTests {
    @Test("writes every event received before the stream finished, in batches, then returns")
    func drainsBeforeReturning() async throws {
        let database = try AppDatabase.inMemory()
        let (events, continuation) = AsyncStream.makeStream(of: RegistrationEvent.self)
        let recorder = RegistrationRecorder(store: database, events: events, logger: quietLogger, maxBatchSize: 64)
        for index in 0..<1000 {
            continuation.yield(.registered(makeRegistration(endpoint: "ep-\(index)", id: "r\(index)"), replaced: nil))
        }
        for index in stride(from: 0, to: 1000, by: 2) {
            continuation.yield(.deregistered(makeRegistration(endpoint: "ep-\(index)", id: "r\(index)")))
        }
        continuation.finish()

        await recorder.run()

        #expect(try await database.endpoints().count == 1000)
        #expect(try await database.endpoints(online: true).count == 500)
        #expect(try await database.endpoint(named: "ep-998")?.online == false)
        #expect(try await database.endpoint(named: "ep-999")?.online == true)
        let statistics = recorder.statistics
        #expect(statistics.eventsWritten == 1500)
        #expect(statistics.eventsFailed == 0)
        #expect(statistics.batchesFailed == 0)
        #expect(statistics.batchesWritten >= 1500 / 64)
    }

    @Test("events sent while running are written in order; waitUntilProcessed observes them")
    func liveStream() async throws {
        let database = try AppDatabase.inMemory()
        let (events, continuation) = AsyncStream.makeStream(of: RegistrationEvent.self)
        let recorder = RegistrationRecorder(store: database, events: events, logger: quietLogger)
        let first = makeRegistration(id: "r1")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await recorder.run() }

            continuation.yield(.registered(first, replaced: nil))
            continuation.yield(.updated(makeRegistration(id: "r1", lifetime: 42)))
            await recorder.waitUntilProcessed(2)
            #expect(try await database.endpoint(named: "dev-1")?.lifetime == 42)

            continuation.yield(.expired(makeRegistration(id: "r1", lifetime: 42)))
            await recorder.waitUntilProcessed(3)
            #expect(try await database.endpoint(named: "dev-1")?.online == false)

            continuation.yield(.registered(makeRegistration(id: "r2"), replaced: nil))
            continuation.finish()
            try await group.waitForAll()
        }
        let record = try #require(try await database.endpoint(named: "dev-1"))
        #expect(record.registrationId == "r2")
        #expect(record.online)
        #expect(recorder.statistics.eventsWritten == 4)
    }

    @Test("a failing batch is counted and retried event by event; the recorder keeps going")
    func survivesFailures() async throws {
        let database = try AppDatabase.inMemory()
        try await installPoison(database)
        let (events, continuation) = AsyncStream.makeStream(of: RegistrationEvent.self)
        let recorder = RegistrationRecorder(store: database, events: events, logger: quietLogger)
        continuation.yield(.registered(makeRegistration(endpoint: "before", id: "1"), replaced: nil))
        continuation.yield(.registered(makeRegistration(endpoint: "poison", id: "2"), replaced: nil))
        continuation.yield(.registered(makeRegistration(endpoint: "after", id: "3"), replaced: nil))
        continuation.finish()

        await recorder.run()

        #expect(try await database.endpoints().map(\.name) == ["after", "before"])
        let statistics = recorder.statistics
        #expect(statistics.batchesFailed == 1)
        #expect(statistics.eventsFailed == 1)
        #expect(statistics.eventsWritten == 2)
    }

    @Test("waitUntilProcessed returns once the recorder stopped, even short of the count")
    func waitAfterStop() async throws {
        let database = try AppDatabase.inMemory()
        let (events, continuation) = AsyncStream.makeStream(of: RegistrationEvent.self)
        let recorder = RegistrationRecorder(store: database, events: events, logger: quietLogger)
        continuation.yield(.registered(makeRegistration(), replaced: nil))
        continuation.finish()
        await recorder.run()
        await recorder.waitUntilProcessed(10)
        #expect(recorder.statistics.eventsProcessed == 1)
    }
}

@Suite("BoundedQueue as an unbounded batch buffer")
struct BatchBufferTests {
    @Test("hands out what is buffered, up to the limit, in order, then nil after finish")
    func batches() async {
        let buffer = BoundedQueue<Int>(capacity: .max)
        for value in 1...5 { #expect(buffer.offer(value)) }
        buffer.finish()
        #expect(await buffer.next(maxCount: 2) == [1, 2])
        #expect(await buffer.next(maxCount: 2) == [3, 4])
        #expect(await buffer.next(maxCount: 2) == [5])
        #expect(await buffer.next(maxCount: 2) == nil)
    }

    @Test("a waiting consumer wakes on append and on finish")
    func wakes() async {
        let buffer = BoundedQueue<Int>(capacity: .max)
        async let first = buffer.next(maxCount: 10)
        _ = buffer.offer(7)
        #expect(await first == [7])
        async let end = buffer.next(maxCount: 10)
        buffer.finish()
        #expect(await end == nil)
    }
}
