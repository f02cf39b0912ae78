import Foundation
import Testing

/// Crash safety (issue P8 item 5): the server is killed with SIGKILL while 40 simulated devices send values as fast
/// as the simulator goes; after a restart on the same data directory every value the REST API showed before the
/// kill is still there, and so are the registrations, the PSK credential and the queued operations, and SQLite's
/// `PRAGMA integrity_check` says `ok` (read with Python's sqlite3 module, an independent reader of the file).
@Suite(.serialized)
struct DurabilityEndToEndTests {
    /// The stored series of `path` of `endpoint`: (timestamp, value) pairs, oldest first.
    func series(_ server: ServerProcess, _ endpoint: String, _ path: String) async throws -> [String] {
        var values: [String] = []
        var cursor: String?
        repeat {
            var query = "/api/v1/endpoints/\(endpoint)/telemetry?path=\(path)&order=asc&limit=1000"
            if let cursor { query += "&cursor=\(cursor)" }
            let (status, data) = try await server.http("GET", query)
            guard status == 200 else { throw E2EError("telemetry \(status): \(String(decoding: data, as: UTF8.self))") }
            let page = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            for item in page["values"] as? [[String: Any]] ?? [] {
                values.append("\(item["timestamp"] as? String ?? "?")=\((item["value"] as? NSNumber)?.stringValue ?? "?")")
            }
            cursor = page["nextCursor"] as? String
        } while cursor != nil
        return values
    }

    @Test func aServerKilledDuringFullIngestKeepsEverythingItHadShown() async throws {
        let server = ServerProcess(mode: .process)  // killed with SIGKILL below
        try await server.start()
        defer { Task { await server.stop() } }
        let names = (1...40).map { "dur-\($0)" }

        // A credential, and operations queued for later (notBefore in an hour) for one device.
        let (pskStatus, _) = try await server.http(
            "PUT", "/api/v1/security/dur-psk", body: Data(#"{"key":"000102030405060708090a0b0c0d0e0f"}"#.utf8))
        #expect(pskStatus == 201)
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", server.coapURL, "--count", "\(names.count)", "--prefix", "dur-", "--lifetime", "300",
                        "--send", "0.05"],
            logURL: server.dataDir.appendingPathComponent("sim.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await server.eventually(timeout: .seconds(30), "every device registered") {
            try await server.endpoints().filter { ($0["endpoint"] as? String)?.hasPrefix("dur-") == true }.count == names.count
        }
        let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        var queued: [Int] = []
        for path in ["/3/0/0", "/3/0/1", "/3/0/2"] {
            let (status, data) = try await server.http(
                "POST", "/api/v1/endpoints/dur-1/operations",
                body: Data(#"{"kind":"read","path":"\#(path)","notBefore":"\#(later)"}"#.utf8))
            #expect(status == 201, "\(String(decoding: data, as: UTF8.self))")
            queued.append(try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["id"] as? Int))
        }

        // Full ingest for a while; then read what the API shows, and kill the server right after, mid-ingest.
        try await server.eventually(timeout: .seconds(30), "values stored") {
            try await series(server, "dur-1", "/3303/0/5700").count >= 20
        }
        var shown: [String: [String]] = [:]
        for name in names.prefix(10) {
            shown[name] = try await series(server, name, "/3303/0/5700")
        }
        let registrationsBefore = Set(try await server.endpoints().compactMap { $0["endpoint"] as? String })
        await server.stop(signal: SIGKILL)
        #expect(shown.values.map(\.count).reduce(0, +) > 100, "a real ingest was cut")

        // The file is consistent before anything touches it again.
        let database = server.dataDir.appendingPathComponent("lwm2m.sqlite").path
        let checkLog = server.dataDir.appendingPathComponent("integrity.txt")
        let checker = try ChildProcess(
            executable: URL(fileURLWithPath: "/usr/bin/python3"),
            arguments: ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])",
                        database],
            logURL: checkLog)
        while checker.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        let check = try String(contentsOf: checkLog, encoding: .utf8)
        #expect(check.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(check)")

        await sim.stop(signal: SIGKILL)
        try await server.start()
        for (name, values) in shown {
            let after = Set(try await series(server, name, "/3303/0/5700"))
            let lost = values.filter { !after.contains($0) }
            #expect(lost.isEmpty, "\(name): \(lost.count) of \(values.count) values shown before the kill are gone")
        }
        let registrationsAfter = Set(try await server.endpoints().compactMap { $0["endpoint"] as? String })
        #expect(registrationsBefore.isSubset(of: registrationsAfter))
        #expect(registrationsAfter.isSuperset(of: names))
        let (credentialStatus, credential) = try await server.http("GET", "/api/v1/security/dur-psk")
        #expect(credentialStatus == 200, "\(String(decoding: credential, as: UTF8.self))")
        for id in queued {
            let (status, data) = try await server.http("GET", "/api/v1/operations/\(id)")
            #expect(status == 200)
            #expect((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["status"] as? String == "queued")
        }
    }
}
