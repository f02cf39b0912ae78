import Foundation
import GRDB
import LwM2M
import Testing

@testable import ResourceModel

@Suite("Telemetry ingest")
struct TelemetryIngestTests {
    @Test("several reports queued before a batch are written in ONE transaction")
    func oneTransactionPerBatch() async throws {
        let database = try await makeTelemetryDatabase()
        let counter = CommitCounter()
        database.writer.add(transactionObserver: counter, extent: .observerLifetime)
        let ingest = TelemetryIngest(store: database, logger: quietLogger)
        for index in 0..<20 {
            #expect(ingest.submit(report(at: t0.addingTimeInterval(Double(index)), [
                value("/3303/0/5700", .float(20 + Double(index))), value("/3304/0/5700", .float(50)),
            ])))
        }
        try await withRunning(ingest) { await ingest.waitUntilProcessed(20) }
        let statistics = ingest.statistics
        #expect(statistics.reportsStored == 20)
        #expect(statistics.valuesStored == 40)
        #expect(statistics.batchesWritten == 1)
        #expect(counter.commits == 1)
        #expect(try await count("resource", in: database) == 40)
    }

    @Test("a full queue refuses reports (back-pressure) and counts them")
    func backPressure() async throws {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(store: database, logger: quietLogger, capacity: 3)
        let accepted = (0..<5).map { _ in ingest.submit(report([value("/3303/0/5700", .float(1))])) }
        #expect(accepted == [true, true, true, false, false])
        #expect(ingest.statistics.reportsRejected == 2)
        #expect(ingest.queuedCount == 3)
        try await withRunning(ingest) { await ingest.waitUntilProcessed(3) }
        #expect(ingest.statistics.valuesStored == 3)
    }

    @Test("submitWaiting waits for room instead of refusing")
    func submitWaiting() async throws {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(store: database, logger: quietLogger, capacity: 2, maxBatchSize: 1)
        try await withRunning(ingest) {
            for index in 0..<10 {
                await ingest.submitWaiting(report([value("/3/0/9", .integer(Int64(index)))]))
            }
            await ingest.waitUntilProcessed(10)
        }
        #expect(ingest.statistics.reportsAccepted == 10)
        #expect(ingest.statistics.reportsRejected == 0)
        #expect(try await count("resource", in: database) == 10)
    }

    @Test("a report of an unknown endpoint is counted, not stored")
    func unknownEndpoint() async throws {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(store: database, logger: quietLogger)
        #expect(ingest.submit(report(endpoint: "nobody", [value("/3303/0/5700", .float(1))])))
        #expect(ingest.submit(report(endpoint: "dev-1", [value("/3303/0/5700", .float(2))])))
        try await withRunning(ingest) { await ingest.waitUntilProcessed(2) }
        #expect(ingest.statistics.reportsUnknownEndpoint == 1)
        #expect(ingest.statistics.reportsStored == 1)
        #expect(try await count("resource", in: database) == 1)
    }

    @Test("graceful shutdown drains what is queued")
    func drainsOnShutdown() async throws {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(store: database, logger: quietLogger, maxBatchSize: 7)
        for index in 0..<50 {
            _ = ingest.submit(report([value("/3/0/9", .integer(Int64(index)))]))
        }
        // Cancelling right away: run() finishes the queue and still writes all 50.
        try await withRunning(ingest) {}
        #expect(ingest.statistics.reportsStored == 50)
        #expect(ingest.statistics.batchesWritten == 8)
        #expect(try await count("resource", in: database) == 50)
        #expect(ingest.submit(report([value("/3/0/9", .integer(1))])) == false)
    }

    @Test("client timestamp wins over arrival; arrival is receivedAt")
    func timestamps() async throws {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(store: database, logger: quietLogger)
        let clientTime = t0.addingTimeInterval(-60)
        _ = ingest.submit(report(at: t0, kind: .send, [
            value("/3303/0/5700", .float(1), at: clientTime), value("/3304/0/5700", .float(2)),
        ]))
        try await withRunning(ingest) { await ingest.waitUntilProcessed(1) }
        let rows = try await database.writer.read { db in
            try ResourceRecord.order(ResourceRecord.Columns.id).fetchAll(db)
        }
        #expect(rows.map(\.timestamp) == [EpochMilliseconds.from(clientTime), EpochMilliseconds.from(t0)])
        #expect(rows.map(\.receivedAt) == [EpochMilliseconds.from(t0), EpochMilliseconds.from(t0)])
    }

    @Test("typed values round-trip through the value scheme and queries")
    func typedRoundTrip() async throws {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(store: database, logger: quietLogger)
        let values: [ReportedValue] = [
            value("/3/0/0", .string("ACME, Inc.")), value("/3/0/9", .integer(-7)), value("/3/0/13", .time(1_795_395_723)),
            value("/3/0/7/1", .integer(3300)), value("/3/0/17", .boolean(true)), value("/3/0/18", .opaque([0, 1, 255])),
            value("/3/0/19", .unsignedInteger(UInt64.max)), value("/3/0/20", .objlnk(objectID: 3, instanceID: 0)),
            value("/3303/0/5700", .float(21.5)),
            value("/9999/1/2", .string("not in the model")),
        ]
        _ = ingest.submit(report(values))
        try await withRunning(ingest) { await ingest.waitUntilProcessed(1) }
        #expect(ingest.statistics.valuesStored == 10)
        for reported in values {
            let page = try #require(try await database.telemetry(TelemetryQuery(endpoint: "dev-1", path: reported.path)))
            #expect(page.points.map(\.value) == [reported.value], "\(reported.path)")
            #expect(page.points.map(\.timestamp) == [t0])
        }
        let added = try await database.writer.read { db in
            try ResourceTypeRecord.filter(ResourceTypeRecord.Columns.objectId == 9999).fetchOne(db)
        }
        #expect(added?.dataType == "String")
        #expect(added?.resourceId == 2)
    }

    @Test("a value that does not fit its resource type is skipped, integers widen to floats")
    func coercion() async throws {
        let database = try await makeTelemetryDatabase()
        let ingest = TelemetryIngest(store: database, logger: quietLogger)
        _ = ingest.submit(report([
            value("/3303/0/5700", .integer(21)), value("/3/0/9", .string("full")), value("/3/0", .integer(1)),
        ]))
        try await withRunning(ingest) { await ingest.waitUntilProcessed(1) }
        #expect(ingest.statistics.valuesStored == 1)
        #expect(ingest.statistics.valuesSkipped == 2)
        let page = try #require(try await database.telemetry(TelemetryQuery(endpoint: "dev-1", path: try LwM2MPath("/3303/0/5700"))))
        #expect(page.points.map(\.value) == [.float(21)])
    }

    @Test("a file-backed database (WAL pool) stores batches too")
    func fileBacked() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try AppDatabase.open(directory: directory)
        try await seedTelemetry(database)
        let ingest = TelemetryIngest(store: database, logger: quietLogger)
        for index in 0..<100 {
            _ = ingest.submit(report(at: t0.addingTimeInterval(Double(index)), [value("/3303/0/5700", .float(Double(index)))]))
        }
        try await withRunning(ingest) { await ingest.waitUntilProcessed(100) }
        let latest = try #require(try await database.latestValues(endpoint: "dev-1"))
        #expect(latest == [
            LatestValue(path: try LwM2MPath("/3303/0/5700"), timestamp: t0.addingTimeInterval(99), dataType: .float, value: .float(99)),
        ])
        #expect(try await count("resource", in: database) == 100)
    }
}
