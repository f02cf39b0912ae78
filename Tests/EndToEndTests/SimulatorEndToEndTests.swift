import Foundation
import Testing

/// `lwm2m-sim` against the real server: many endpoints, updates across a server restart, de-registration.
@Suite(.serialized)
struct SimulatorEndToEndTests {
    /// A script starting the simulator against a wrong address must see it fail: exit status 1 and why.
    @Test func theSimulatorExitsNonZeroWhenNoDeviceCouldRegister() async throws {
        let port = FreePort.udp()  // nothing listens there
        let result = try await onOwnThread { () -> (Int32, String) in
            let process = Process()
            process.executableURL = Binaries.url("lwm2m-sim")
            process.arguments = ["--server", "coap://127.0.0.1:\(port)", "--count", "2", "--duration", "3"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: output, as: UTF8.self))
        }
        #expect(result.0 == 1, "\(result.1)")
        #expect(result.1.contains("no device could register"))
    }

    @Test func twoHundredSimulatedEndpointsSurviveARestart() async throws {
        let server = ServerProcess()
        try await server.start()
        let count = 200
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", server.coapURL, "--count", "\(count)", "--prefix", "e2e-", "--lifetime", "10"],
            logURL: server.dataDir.appendingPathComponent("sim.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }

        try await server.eventually(timeout: .seconds(30), "\(count) endpoints online") {
            try await server.endpoints().filter { $0["online"] as? Bool == true }.count == count
        }
        let before = try await server.endpoints()
        #expect(Set(before.compactMap { $0["endpoint"] as? String }) == Set((1...count).map { "e2e-\($0)" }))
        let ids = Dictionary(uniqueKeysWithValues: before.map { ($0["endpoint"] as! String, $0["registrationId"] as! String) })

        await server.stop()
        let restartedAt = ISO8601DateFormatter().string(from: Date())
        try await server.start()
        defer { Task { await server.stop() } }

        // Every endpoint updates (5 s interval) against the restarted server and keeps its registration; the
        // lifetime leaves room for a slow restart on a loaded machine (a registration past its lifetime expires).
        try await server.eventually(timeout: .seconds(20), "all endpoints updated after the restart") {
            let now = try await server.endpoints()
            return now.count == count && now.allSatisfy {
                ($0["online"] as? Bool == true) && (($0["lastSeen"] as? String ?? "") > restartedAt)
            }
        }
        let after = try await server.endpoints()
        for endpoint in after {
            let name = endpoint["endpoint"] as! String
            #expect(endpoint["registrationId"] as? String == ids[name], "\(name) re-registered instead of updating")
        }
        #expect(!sim.log.contains("registering again"))

        // SIGINT: the simulator de-registers everything.
        let status = await sim.stop(signal: SIGINT)
        #expect(status == 0)
        #expect(sim.log.contains("deregistered=\(count)"))
        try await server.eventually("all offline") {
            try await server.endpoints().allSatisfy { $0["online"] as? Bool == false }
        }
    }
}
