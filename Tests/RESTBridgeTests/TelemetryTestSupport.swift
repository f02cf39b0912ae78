import Foundation
import Hummingbird
import HummingbirdTesting
import LwM2M
import RESTBridge
import ResourceModel

/// The seeded database with values for `alpha` stored through a real ingest: /3303/0/5700 floats 0...24 at
/// t0 + i seconds (Send with client time), /3/0/0 "ACME, \"Inc\"", /3/0/9 integer 80, /3/0/6/1 integer 5.
func makeTelemetryDatabase(rules: [EventRule] = []) async throws -> AppDatabase {
    let database = try await makeSeededDatabase()
    for rule in rules { try await database.saveEventRule(rule) }
    let ingest = TelemetryIngest(store: database, logger: quietLogger)
    let temperature = try LwM2MPath("/3303/0/5700")
    var reports = [
        DeviceReport(
            endpoint: "alpha", kind: .send, receivedAt: t0.addingTimeInterval(100),
            values: (0..<25).map { ReportedValue(path: temperature, value: .float(Double($0)), timestamp: t0.addingTimeInterval(Double($0))) }),
        DeviceReport(
            endpoint: "alpha", kind: .notification(observationID: "obs-9"), receivedAt: t0,
            values: [
                ReportedValue(path: try LwM2MPath("/3/0/0"), value: .string("ACME, \"Inc\"")),
                ReportedValue(path: try LwM2MPath("/3/0/9"), value: .integer(80)),
                ReportedValue(path: try LwM2MPath("/3/0/6/1"), value: .integer(5)),
            ]),
    ]
    reports.append(DeviceReport(
        endpoint: "alpha", kind: .notification(observationID: "obs-10"), receivedAt: t0.addingTimeInterval(30),
        values: [
            ReportedValue(path: temperature, value: .float(30)),
            ReportedValue(path: try LwM2MPath("/3304/0/5700"), value: .float(55)),
        ]))
    for report in reports { _ = ingest.submit(report) }
    await withTaskGroup(of: Void.self) { group in
        group.addTask { await ingest.run() }
        await ingest.waitUntilProcessed(reports.count)
        group.cancelAll()
    }
    return database
}

/// Sends one request to an application over `database` (and `observations`, `hub`) and returns the response.
func send(
    _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, headers: HTTPFields = authorized,
    database: AppDatabase, observations: FakeObservationManagement? = nil, hub: LiveEventHub? = nil
) async throws -> TestResponse {
    let app = buildApplication(
        configuration: RESTConfiguration(host: "127.0.0.1", port: 0, apiToken: testToken), stores: database.stores,
        deviceManagement: FakeDeviceManagement(), observations: observations, liveEvents: hub, logger: quietLogger)
    return try await app.test(.router) { client in
        try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }
}
