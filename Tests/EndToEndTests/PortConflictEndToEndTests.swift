import Foundation
import Testing

/// Issue 9, fault 12: a second server on a port that is taken refuses to start and names the port and its flag.
/// (libcoap binds UDP with SO_REUSEADDR, so before the probe a second server started and the kernel split the
/// datagrams between the two.)
@Suite(.serialized)
struct PortConflictEndToEndTests {
    /// Starts a second server with the first one's port for `flag`, fresh ports otherwise; returns its exit status
    /// and log.
    func secondServer(_ first: ServerProcess, taking flag: String) async throws -> (Int32, String) {
        let ports: [String: String] = [
            "--coap-port": flag == "--coap-port" ? "\(first.coapPort)" : "\(FreePort.udp())",
            "--coaps-port": flag == "--coaps-port" ? "\(first.coapsPort)" : "\(FreePort.udp())",
            "--http-port": flag == "--http-port" ? "\(first.httpPort)" : "\(FreePort.tcp())",
        ]
        let dataDir = first.dataDir.appendingPathComponent("second-\(flag.dropFirst(2))")
        try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
        let child = try ChildProcess(
            executable: Binaries.url("lwm2m-server"),
            arguments: ["--host", "127.0.0.1", "--data-dir", dataDir.path] + ports.flatMap { [$0.key, $0.value] },
            logURL: dataDir.appendingPathComponent("server.log"), environment: ["LWM2M_API_TOKEN": ServerProcess.token])
        let deadline = ContinuousClock.now + .seconds(20)
        while child.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let status = await child.stop(signal: SIGKILL)
        return (status, child.log)
    }

    @Test(arguments: ["--coap-port", "--coaps-port", "--http-port"])
    func aTakenPortIsRefusedNamingItsFlag(flag: String) async throws {
        let first = ServerProcess(mode: .process)
        try await first.start()
        defer { Task { await first.stop() } }
        let port = switch flag {
        case "--coap-port": Int(first.coapPort)
        case "--coaps-port": Int(first.coapsPort)
        default: Int(first.httpPort)
        }
        let (status, log) = try await secondServer(first, taking: flag)
        #expect(status != 0, "the second server must not run: \(log)")
        #expect(log.contains("\(flag) \(port)"), "\(log)")
        #expect(log.contains("already in use"), "\(log)")
        // The first server still has its ports to itself.
        let register = try await CoAPClientTool.register(first, query: "ep=still-mine&lt=60")
        #expect(register.code == "2.01", "\(register.output)")
        // Stored by the registration recorder a moment after the 2.01.
        try await first.eventually(timeout: .seconds(10), "the registration stored") {
            try await first.endpoint("still-mine") != nil
        }
    }
}
