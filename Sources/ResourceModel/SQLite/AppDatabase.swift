import Foundation
import GRDB
import Synchronization

/// The server's SQLite database: owns the one `DatabaseWriter` and implements every store protocol
/// (`EndpointStore`, `TelemetryStore`, `EventStore`, `OperationStore`, `ObservationStore`,
/// `ObservationProfileStore`, `CredentialStore`, `FirmwareStore`, `APITokenStore`); `stores` hands it out as all of them. Its GRDB records stay
/// inside this folder.
///
/// Open the file once per process: `open(directory:)` gives a `DatabasePool` (WAL, readers never block the
/// writer) for the server, `inMemory()` a `DatabaseQueue` for unit tests. Both run the same migrations and the
/// same connection setup (foreign keys on, `synchronous=NORMAL`).
///
/// Storage conventions shared by every table: instants are `INTEGER` milliseconds since 1970-01-01 UTC,
/// booleans are `INTEGER` 0/1, structured values (lists, payloads) are JSON `TEXT`.
public final class AppDatabase: Sendable {
    /// The SQLite file name inside the data directory.
    public static let fileName = "lwm2m.sqlite"

    /// The connection (pool or queue) every access goes through.
    let writer: any DatabaseWriter

    /// The event rules, loaded on first use by the writer and replaced after every commit that changes them.
    let eventRuleCache = Mutex<[EventRule]?>(nil)

    /// The telemetry writer's row-id lookups, shared between batches; replaced only after a commit.
    let telemetryCaches = Mutex(TelemetryBatchWriter.Caches())

    /// Wraps an already opened writer and migrates it to the latest schema.
    init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.migrator.migrate(writer)
    }

    /// Opens (creating when needed) `<directory>/lwm2m.sqlite` as a WAL `DatabasePool` and migrates it.
    public static func open(directory: URL) throws -> AppDatabase {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(fileName).path
        let pool = try DatabasePool(path: path, configuration: configuration(label: "lwm2m"))
        return try AppDatabase(pool)
    }

    /// Opens a private in-memory database (a `DatabaseQueue`), migrated, for tests.
    public static func inMemory() throws -> AppDatabase {
        try AppDatabase(DatabaseQueue(configuration: configuration(label: "lwm2m-memory")))
    }

    /// The connection setup every database of this server uses.
    static func configuration(label: String) -> Configuration {
        var configuration = Configuration()
        configuration.label = label
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // WAL + NORMAL, deliberately (README, "Durability"): nothing acknowledged is lost when the process
            // dies; a power loss may lose the last commits since the WAL was synced, never consistency.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return configuration
    }

    /// Runs a trivial query; throws when the database does not answer (used by the health check).
    public func ping() async throws {
        _ = try await writer.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// This database as every store the server uses.
    public var stores: Stores {
        Stores(
            endpoints: self, telemetry: self, events: self, operations: self, observations: self,
            observationProfiles: self, credentials: self, firmware: self, apiTokens: self)
    }
}
