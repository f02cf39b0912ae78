import Foundation
import GRDB
import LwM2M

@testable import ResourceModel

/// An in-memory database with endpoint `dev-1` (and `dev-2`) registered and the resource types of the
/// telemetry tests: 3303/5700 Float, 3304/5700 Float, 3315/5700 Float, 3/0 String, 3/9 Integer, 3/13 Time,
/// 3/7 Integer (multiple), 3/1 Boolean... (object 3 resources stored with their model names).
func makeTelemetryDatabase(endpoints: [String] = ["dev-1", "dev-2"]) async throws -> AppDatabase {
    let database = try AppDatabase.inMemory()
    try await seedTelemetry(database, endpoints: endpoints)
    return database
}

/// Registers `endpoints` and inserts the resource types of the telemetry tests into `database`.
func seedTelemetry(_ database: AppDatabase, endpoints: [String] = ["dev-1", "dev-2"]) async throws {
    try await database.apply(endpoints.enumerated().map { index, name in
        .registered(makeRegistration(endpoint: name, id: "reg-\(index)"), replaced: nil)
    })
    try await database.writer.write { db in
        for (object, resource, name, type, multiple) in telemetryTypes {
            try db.execute(
                sql: "INSERT INTO resource_type (objectId, resourceId, name, dataType, multiple) VALUES (?, ?, ?, ?, ?)",
                arguments: [object, resource, name, type, multiple])
        }
    }
}

/// The resource types `seedTelemetry` inserts.
let telemetryTypes: [(Int, Int, String, String, Bool)] = [
    (3303, 5700, "Sensor Value", "Float", false), (3304, 5700, "Sensor Value", "Float", false),
    (3315, 5700, "Sensor Value", "Float", false), (3, 0, "Manufacturer", "String", false),
    (3, 9, "Battery Level", "Integer", false), (3, 13, "Current Time", "Time", false),
    (3, 7, "Power Source Voltage", "Integer", true), (3, 16, "Supported Binding", "String", false),
    (3, 17, "Flag", "Boolean", false), (3, 18, "Blob", "Opaque", false), (3, 19, "Counter", "Unsigned Integer", false),
    (3, 20, "Link", "Objlnk", false),
]

/// A leaf value at `path`.
func value(_ path: String, _ value: LwM2MValue, at time: Date? = nil) -> ReportedValue {
    ReportedValue(path: try! LwM2MPath(path), value: value, timestamp: time)
}

/// A notification report of `endpoint` received at `receivedAt`.
func report(
    endpoint: String = "dev-1", at receivedAt: Date = t0, kind: DeviceReport.Kind = .notification(observationID: "obs-1"),
    _ values: [ReportedValue]
) -> DeviceReport {
    DeviceReport(endpoint: endpoint, kind: kind, receivedAt: receivedAt, values: values)
}

/// Runs `ingest` for the duration of `body`, then stops it (as graceful shutdown would: it drains first).
func withRunning<T: Sendable>(_ ingest: TelemetryIngest, _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await ingest.run() }
        do {
            let result = try await body()
            group.cancelAll()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// Counts committed transactions that inserted `resource` rows.
final class CommitCounter: TransactionObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var changed = false
    private var _commits = 0

    /// Commits seen so far.
    var commits: Int { lock.withLock { _commits } }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        eventKind.tableName == "resource"
    }

    func databaseDidChange(with event: DatabaseEvent) {
        lock.withLock { changed = true }
    }

    func databaseDidCommit(_ db: Database) {
        lock.withLock {
            if changed { _commits += 1 }
            changed = false
        }
    }

    func databaseDidRollback(_ db: Database) {
        lock.withLock { changed = false }
    }
}

/// The number of rows of `table`.
func count(_ table: String, in database: AppDatabase) async throws -> Int {
    try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? -1 }
}
