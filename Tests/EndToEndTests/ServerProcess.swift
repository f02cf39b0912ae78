import Foundation
import Logging
import ServerApp
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where the package's executables were built: beside the test bundle, or `LWM2M_BIN_DIR`.
enum Binaries {
    static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["LWM2M_BIN_DIR"] {
            return URL(fileURLWithPath: dir, isDirectory: true)
        }
        // The test runner lives in the build directory (as `<pkg>PackageTests.xctest`), beside the executables.
        let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
                          URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        return candidates.first {
            FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("lwm2m-server").path)
        } ?? candidates[0]
    }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
}

/// Free loopback ports, found by binding port 0 (released before use; the kernel hands out ports in sequence,
/// so reuse within a test run is unlikely).
/// Free loopback ports for servers and for coap-client's source ports. They come from below the kernel's
/// ephemeral range (32768–60999 here), which every `bind(0)` and outgoing socket of the simulators, curl and
/// libcoap draws from, and none is handed out twice in one test run: a port found free by binding it and then
/// released could otherwise be taken by another process before the server binds it.
enum FreePort {
    static func udp() -> UInt16 { find(type: Int32(SOCK_DGRAM.rawValue)) }
    static func tcp() -> UInt16 { find(type: Int32(SOCK_STREAM.rawValue)) }

    private static let handedOut = Mutex<Set<UInt16>>([])

    private static func find(type: Int32) -> UInt16 {
        while true {
            let candidate = UInt16.random(in: 20_000..<32_000)
            guard handedOut.withLock({ $0.insert(candidate).inserted }) else { continue }
            if bindable(candidate, type: type) { return candidate }
        }
    }

    private static func bindable(_ port: UInt16, type: Int32) -> Bool {
        let fd = socket(AF_INET, type, 0)
        precondition(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// A child process whose output goes to a log file that tests can read.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let logURL: URL

    init(executable: URL, arguments: [String], logURL: URL, environment: [String: String] = [:]) throws {
        self.logURL = logURL
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        log.seekToEndOfFile()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process.isRunning }

    /// Sends `signal` and waits (bounded) for the process to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(20)) async -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// The real server on free loopback ports with a data directory of its own: by default built in this process by
/// `buildServer` from the same flags `lwm2m-server` parses (`ServerOptions`), or, with `mode: .process`, the
/// `lwm2m-server` executable as a child process — for what needs a process: SIGKILL, exit codes, CLI output,
/// process-wide metrics.
final class ServerProcess: @unchecked Sendable {
    static let token = "e2e-test-token"

    /// How the server runs.
    enum Mode {
        /// `buildServer` in this process, logging to the generation's log file.
        case inProcess
        /// The `lwm2m-server` executable.
        case process
    }

    let dataDir: URL
    let coapPort: UInt16
    let coapsPort: UInt16
    let httpPort: UInt16
    let mode: Mode
    private(set) var child: ChildProcess?
    private var running: (server: BuiltServer, task: Task<Void, any Error>, finished: FinishedFlag)?
    private var generation = 0

    init(dataDir: URL? = nil, mode: Mode = .inProcess) {
        self.dataDir = dataDir ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("lwm2m-e2e-\(UUID().uuidString)", isDirectory: true)
        self.mode = mode
        coapPort = FreePort.udp()
        coapsPort = FreePort.udp()
        httpPort = FreePort.tcp()
    }

    var coapURL: String { "coap://127.0.0.1:\(coapPort)" }

    /// The in-process server's parts (`nil` in `.process` mode or before `start`).
    var built: BuiltServer? { running?.server }

    /// Whether the server runs (the child process, or the in-process server's services).
    var isRunning: Bool {
        switch mode {
        case .process: child?.isRunning == true
        case .inProcess: running.map { !$0.finished.isSet } ?? false
        }
    }

    /// Starts the server and waits until `/healthz` answers.
    func start(extraArguments: [String] = []) async throws {
        try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
        generation += 1
        // Tests run servers side by side: each gets its own DTLS port unless the test chooses one.
        let dtls = extraArguments.contains("--coaps-port") ? [] : ["--coaps-port", "\(coapsPort)"]
        let arguments = ["--coap-port", "\(coapPort)", "--http-port", "\(httpPort)", "--host", "127.0.0.1",
                         "--data-dir", dataDir.path, "--log-level", "debug"] + dtls + extraArguments
        let logURL = dataDir.appendingPathComponent("server-\(generation).log")
        switch mode {
        case .process:
            child = try ChildProcess(
                executable: Binaries.url("lwm2m-server"), arguments: arguments, logURL: logURL,
                environment: ["LWM2M_API_TOKEN": Self.token])
        case .inProcess:
            let options = try ServerOptions.parse(arguments)
            var configuration = options.serverConfiguration
            if !options.noAuth { configuration.authentication = .token(Self.token) }
            let handler = try FileLogHandler.Sink(url: logURL)
            let logger = Logger(label: "lwm2m-server") { label in
                EscapingLogHandler(FileLogHandler(label: label, sink: handler, logLevel: options.logLevel))
            }
            let server = try await buildServer(configuration, logger: logger)
            let finished = FinishedFlag()
            let task = Task {
                defer { finished.set() }
                try await server.run(gracefulShutdownSignals: [], logger: logger)
                logger.info("stopped")
            }
            running = (server, task, finished)
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let (status, _) = try? await http("GET", "/healthz", token: nil), status == 200 { return }
            guard isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw E2EError("server did not become healthy; log:\n\(log)")
    }

    /// Graceful stop (SIGTERM) or, for a child process, a hard kill; returns the exit status (in process: 0 when
    /// every service stopped cleanly, 1 otherwise).
    @discardableResult
    func stop(signal: Int32 = SIGTERM) async -> Int32 {
        switch mode {
        case .process:
            return await child?.stop(signal: signal) ?? -1
        case .inProcess:
            precondition(signal == SIGTERM || signal == SIGINT, "signal \(signal) needs ServerProcess(mode: .process)")
            guard let running else { return -1 }
            self.running = nil
            await running.server.shutdownGracefully()
            do {
                try await running.task.value
                return 0
            } catch {
                return 1
            }
        }
    }

    /// Everything every server generation logged so far.
    var log: String {
        (1...max(generation, 1)).map {
            (try? String(contentsOf: dataDir.appendingPathComponent("server-\($0).log"), encoding: .utf8)) ?? ""
        }.joined()
    }

    /// One HTTP request to the REST API; returns status and body.
    func http(_ method: String, _ path: String, token: String? = ServerProcess.token, body: Data? = nil)
        async throws -> (Int, Data)
    {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(httpPort)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// `GET /api/v1/endpoints` decoded as JSON objects.
    func endpoints() async throws -> [[String: Any]] {
        let (status, data) = try await http("GET", "/api/v1/endpoints")
        guard status == 200 else { throw E2EError("GET /api/v1/endpoints answered \(status)") }
        return try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
    }

    /// `GET /api/v1/endpoints/{name}` as a JSON object, or `nil` on 404.
    func endpoint(_ name: String) async throws -> [String: Any]? {
        let (status, data) = try await http("GET", "/api/v1/endpoints/\(name)")
        if status == 404 { return nil }
        guard status == 200 else { throw E2EError("GET endpoint answered \(status)") }
        return try JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// Polls `condition` until it holds or `timeout` passes.
    func eventually(
        timeout: Duration = .seconds(15), _ what: String, _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw E2EError("timed out waiting for: \(what)")
    }

    deinit {
        if let child, child.isRunning { kill(child.process.processIdentifier, SIGKILL) }
        if let running {
            let server = running.server
            Task { await server.shutdownGracefully() }
        }
        try? FileManager.default.removeItem(at: dataDir)
    }
}

/// Set once an in-process server's services have all returned.
final class FinishedFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

/// A failed end-to-end expectation with a message.
struct E2EError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
