import Foundation
import LwM2M
import Testing

@testable import ResourceModel

/// The lossless internal event path: `TelemetryIngest.subscribe` hands every stored report to each subscriber,
/// holding the ingest back instead of dropping, unlike the live stream's hub.
@Suite("Stored-report subscriptions", .timeLimit(.minutes(1)))
struct StoredReportSubscriptionTests {
    /// Report `index` carries `/3/0/9 = index`.
    private func numbered(_ index: Int, endpoint: String = "dev-1") -> DeviceReport {
        report(endpoint: endpoint, [value("/3/0/9", .integer(Int64(index)))])
    }

    private func numbers(_ reports: [DeviceReport]) -> [Int64] {
        reports.compactMap { report in
            if case .integer(let number) = report.values.first?.value { return number }
            return nil
        }
    }

    @Test("a slow subscriber gets every stored report in order, while a slow live-stream client is dropped")
    func slowSubscriberLosesNothing() async throws {
        let database = try await makeTelemetryDatabase()
        let hub = LiveEventHub(bufferSize: 8)
        let ingest = TelemetryIngest(store: database, hub: hub, logger: quietLogger, capacity: 64, maxBatchSize: 50)
        let subscription = ingest.subscribe(capacity: 4, paths: nil)
        let liveClient = hub.subscribe()  // never read: falls behind at once
        let total = 500
        let received = try await withRunning(ingest) {
            async let collected: [DeviceReport] = {
                var all: [DeviceReport] = []
                for await report in subscription {
                    all.append(report)
                    if all.count % 50 == 0 { try? await Task.sleep(for: .milliseconds(2)) }
                    if all.count == total { break }
                }
                return all
            }()
            for index in 0..<total { await ingest.submitWaiting(numbered(index)) }
            return await collected
        }
        #expect(numbers(received) == (0..<Int64(total)).map { $0 })
        #expect(ingest.statistics.reportsStored == total)
        #expect(ingest.statistics.reportsRejected == 0)
        // The live stream's client was disconnected with at most its buffer delivered.
        var live = 0
        for await _ in liveClient { live += 1 }
        #expect(live <= 8)
        #expect(hub.disconnectedCount == 1)
    }

    @Test("a full subscription holds the ingest back: its queue fills and submit refuses, nothing is dropped")
    func fullSubscriptionIsBackPressure() async throws {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(
            store: database, logger: quietLogger, capacity: 4, maxBatchSize: 1, batchLinger: .zero)
        let subscription = ingest.subscribe(capacity: 2, paths: nil)
        try await withRunning(ingest) {
            var accepted = 0
            var refused = false
            for index in 0..<1_000 {
                if ingest.submit(numbered(index)) {
                    accepted += 1
                } else {
                    refused = true
                    break
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            #expect(refused, "the ingest never pushed back although nobody consumed the subscription")
            // Held back: at most the subscription's 2, one waiting to be delivered, and the queue's 4.
            #expect(accepted <= 2 + 1 + 4)
            var received: [DeviceReport] = []
            for await report in subscription {
                received.append(report)
                if received.count == accepted { break }
            }
            #expect(numbers(received) == (0..<Int64(accepted)).map { $0 })
            await ingest.waitUntilProcessed(accepted)
            #expect(ingest.statistics.reportsStored == accepted)
        }
    }

    @Test("cancelling a full subscription releases the waiting ingest")
    func cancelReleasesIngest() async throws {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(
            store: database, logger: quietLogger, capacity: 16, maxBatchSize: 1, batchLinger: .zero)
        let subscription = ingest.subscribe(capacity: 1, paths: nil)
        #expect(ingest.subscriptionCount == 1)
        try await withRunning(ingest) {
            for index in 0..<5 { #expect(ingest.submit(numbered(index))) }
            // Report 0 is buffered, report 1 waits for room: the ingest is held at two stored reports.
            await ingest.waitUntilProcessed(2)
            try await Task.sleep(for: .milliseconds(100))
            #expect(ingest.statistics.reportsStored == 2)
            #expect(ingest.queuedCount == 3)
            subscription.cancel()
            await ingest.waitUntilProcessed(5)
        }
        #expect(ingest.subscriptionCount == 0)
        #expect(ingest.statistics.reportsStored == 5)
        // What was buffered before the cancel is still handed out, then the sequence ends.
        var rest: [DeviceReport] = []
        for await report in subscription { rest.append(report) }
        #expect(numbers(rest) == [0])
    }

    @Test("with paths, a subscriber gets only those values, and reports with none are skipped")
    func pathFilter() async throws {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(store: database, logger: quietLogger)
        let firmware = ingest.subscribe(
            capacity: 16, paths: [try LwM2MPath("/5/0/3"), try LwM2MPath("/5/0/5")])
        let everything = ingest.subscribe(capacity: 16, paths: nil)
        try await withRunning(ingest) {
            _ = ingest.submit(report([value("/3303/0/5700", .float(21))]))
            _ = ingest.submit(report([value("/5/0/3", .integer(1)), value("/3/0/9", .integer(80))]))
            _ = ingest.submit(report([value("/5/0/5", .integer(1))]))
            await ingest.waitUntilProcessed(3)
            let got = await firmware.next(maxCount: 10) ?? []
            #expect(got.map { $0.values.map(\.path.description) } == [["/5/0/3"], ["/5/0/5"]])
            #expect(got.first?.values.first?.value == .integer(1))
            #expect(await everything.next(maxCount: 10)?.count == 3)
        }
    }

    @Test("a report that is not stored (unknown endpoint) is not handed out")
    func onlyStoredReports() async throws {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(store: database, logger: quietLogger)
        let subscription = ingest.subscribe(capacity: 16, paths: nil)
        try await withRunning(ingest) {
            _ = ingest.submit(numbered(1, endpoint: "nobody"))
            _ = ingest.submit(numbered(2))
            await ingest.waitUntilProcessed(2)
            let got = await subscription.next(maxCount: 10) ?? []
            #expect(got.map(\.endpoint) == ["dev-1"])
            #expect(numbers(got) == [2])
        }
    }

    @Test("subscriptions end when the ingest stops; one made afterwards is ended at once")
    func endsWithIngest() async throws {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(store: database, logger: quietLogger)
        let subscription = ingest.subscribe(capacity: 16, paths: nil)
        try await withRunning(ingest) {
            _ = ingest.submit(numbered(7))
            await ingest.waitUntilProcessed(1)
        }
        var all: [DeviceReport] = []
        for await report in subscription { all.append(report) }
        #expect(numbers(all) == [7])
        let late = ingest.subscribe(capacity: 16, paths: nil)
        #expect(await late.next(maxCount: 1) == nil)
        #expect(ingest.subscriptionCount == 0)
    }
}

@Suite("BoundedQueue")
struct BoundedQueueTests {
    @Test("cancel turns away waiting producers; finish keeps what they hold")
    func cancelAndFinish() async {
        let finishing = BoundedQueue<Int>(capacity: 1)
        #expect(finishing.offer(1))
        async let kept = finishing.enqueueWaiting(2)
        try? await Task.sleep(for: .milliseconds(20))
        finishing.finish()
        #expect(await finishing.next(maxCount: 5) == [1])
        #expect(await finishing.next(maxCount: 5) == [2])
        #expect(await kept)

        let cancelling = BoundedQueue<Int>(capacity: 1)
        #expect(cancelling.offer(1))
        async let refused = cancelling.enqueueWaiting(2)
        try? await Task.sleep(for: .milliseconds(20))
        cancelling.cancel()
        #expect(await refused == false)
        #expect(await cancelling.next(maxCount: 5) == [1])
        #expect(await cancelling.next(maxCount: 5) == nil)
    }
}
