import ArgumentParser
import Foundation
import LwM2M
import ResourceModel

/// `lwm2m-bench fleet`: what one page of `GET /api/v1/endpoints` costs the store with many endpoints, by the SQL
/// route the list takes now (`AppDatabase.endpointPage`: filter, count and keyset page in SQL) and by the route it
/// took before (`EndpointStore`'s default: read every endpoint, filter and page in memory), on the same SQLite file
/// in one run. `scripts/bench-fleet.sh` measures the whole HTTP request beside it.
struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet", abstract: "Endpoint list pages: SQL filter and keyset page against read-all-then-filter.")

    @Option(help: "Endpoints in the database.")
    var endpoints: Int = 10_000

    @Option(help: "Repetitions per query and route (the median is reported).")
    var repetitions: Int = 20

    /// The store with the default (in-memory) `endpointPage`: every requirement but that one forwarded.
    struct ReadAllThenFilter: EndpointStore {
        let database: AppDatabase
        func apply(_ events: [RegistrationEvent]) async throws { try await database.apply(events) }
        func onlineRegistrations() async throws -> [Registration] { try await database.onlineRegistrations() }
        func endpoints(online: Bool?, namePrefix: String?, limit: Int?, offset: Int) async throws -> [StoredEndpoint] {
            try await database.endpoints(online: online, namePrefix: namePrefix, limit: limit, offset: offset)
        }
        func endpoint(named name: String) async throws -> StoredEndpoint? { try await database.endpoint(named: name) }
        func endpointNames(matching pattern: GlobPattern) async throws -> [String] {
            try await database.endpointNames(matching: pattern)
        }
        func syncResourceTypes(from registry: ObjectModelRegistry) async throws -> ResourceTypeSyncResult {
            try await database.syncResourceTypes(from: registry)
        }
        func resourceTypes() async throws -> [ResourceType] { try await database.resourceTypes() }
        func ping() async throws { try await database.ping() }
    }

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lwm2m-bench-fleet-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try AppDatabase.open(directory: directory)
        let now = Date()
        let device = [ObjectLink(objectID: 1, instanceID: 0), ObjectLink(objectID: 3, instanceID: 0)]
        var events: [RegistrationEvent] = []
        for index in 1...endpoints {
            // Every tenth endpoint a temperature sensor, every fifth offline: filters that keep some and drop most.
            let links = device + (index % 10 == 0 ? [ObjectLink(objectID: 3303, instanceID: 0)] : [])
            let registration = Registration(
                id: "r\(index)", endpoint: "sim-\(index)", lwm2mVersion: .v1_1, binding: "U", queueMode: false,
                lifetime: 300, objectLinks: links, supportedContentFormats: [110, 112], address: "127.0.0.1:\(index)",
                registeredAt: now, lastUpdate: now)
            events.append(.registered(registration, replaced: nil))
            if index % 5 == 0 { events.append(.deregistered(registration)) }
        }
        for batch in stride(from: 0, to: events.count, by: 1000) {
            try await database.apply(Array(events[batch..<min(batch + 1000, events.count)]))
        }
        // A presence filter as the dispatcher hands it over: the names of every online endpoint.
        let onlineNames = Set(try await database.endpoints(online: true, namePrefix: nil, limit: nil, offset: 0).map(\.name))
        let queries: [(String, EndpointFilter, String?)] = [
            ("first page of 50", EndpointFilter(), nil),
            ("page of 50 after sim-5000", EndpointFilter(), "sim-5000"),
            ("name contains 99, 50", EndpointFilter(nameContains: "99"), nil),
            ("object 3303, 50", EndpointFilter(objectID: 3303), nil),
            ("presence online (names), 50", EndpointFilter(names: onlineNames), nil),
            ("presence offline (excluded names), 50", EndpointFilter(excludedNames: onlineNames), nil),
        ]
        let before = ReadAllThenFilter(database: database)
        print("lwm2m-bench fleet: \(endpoints) endpoints in SQLite (WAL file), median of \(repetitions) per query")
        print("query".padding(toLength: 40, withPad: " ", startingAt: 0) + "  read-all ms    SQL ms   speed-up  total")
        for (name, filter, after) in queries {
            let old = try await median { _ = try await before.endpointPage(filter, after: after, limit: 51) }
            let new = try await median { _ = try await database.endpointPage(filter, after: after, limit: 51) }
            let a = try await before.endpointPage(filter, after: after, limit: 51)
            let b = try await database.endpointPage(filter, after: after, limit: 51)
            guard a == b else { throw ValidationError("the two routes disagree on \(name)") }
            print(name.padding(toLength: 40, withPad: " ", startingAt: 0)
                + String(format: "  %11.2f  %8.2f  %8.1f×  %5d", old * 1000, new * 1000, old / new, b.total))
        }
    }

    private func median(_ body: () async throws -> Void) async throws -> Double {
        try await body()  // warm-up
        var times: [Double] = []
        for _ in 0..<repetitions {
            let start = ContinuousClock.now
            try await body()
            let elapsed = ContinuousClock.now - start
            times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return times.sorted()[times.count / 2]
    }
}
