import ArgumentParser
import CoAP
import Foundation
import Logging
import Synchronization

/// `lwm2m-bench`: the measuring tools of `scripts/bench.sh`, outside the test suite.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lwm2m-bench",
        abstract: "Load generator and micro-benchmarks of scripts/bench.sh.",
        subcommands: [RawCommand.self, DecodeCommand.self, FleetCommand.self],
        defaultSubcommand: RawCommand.self)
}

/// `lwm2m-bench raw` (the default): the baseline of the benchmark — confirmable CoAP round trips per second from
/// many sessions (one socket each, like `lwm2m-sim`) against any CoAP server, e.g. libcoap's own
/// `coap-server-notls`. Each session keeps one request in flight (NSTART = 1, RFC 7252 §4.7).
struct RawCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw", abstract: "CoAP round trips per second: the raw-libcoap baseline of scripts/bench.sh.")

    @Option(help: "Target server, coap://HOST:PORT.")
    var target: String = "coap://127.0.0.1:5683"

    @Option(help: "Concurrent sessions (sockets).")
    var sessions: Int = 1000

    @Option(help: "Measurement duration in seconds (after a 1 s warm-up).")
    var duration: Double = 10

    @Option(help: "Path to PUT to.")
    var path: String = "example_data"

    @Option(help: "Payload size in bytes (a small notification is ~20).")
    var payloadSize: Int = 20

    func run() async throws {
        var handler = StreamLogHandler.standardError(label: "lwm2m-bench")
        handler.logLevel = .warning
        let logger = Logger(label: "lwm2m-bench", factory: { _ in handler })
        guard let url = URL(string: target), url.scheme == "coap", let host = url.host else {
            throw ValidationError("--target must look like coap://HOST:PORT")
        }
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)

        let endpoint = CoAPEndpoint(configuration: .init(), logger: logger) { _ in .error(.notFound, "") }
        try endpoint.start()
        defer { endpoint.stop() }
        var ids: [CoAPSessionID] = []
        for _ in 0..<sessions { ids.append(try await endpoint.connect(host: host, port: UInt16(url.port ?? 5683))) }

        let counters = Counters()
        let payload = [UInt8](repeating: 0x41, count: payloadSize)
        let request = CoAPRequest(method: .put, uriPath: path.split(separator: "/").map(String.init), contentFormat: 0,
                                  payload: payload)
        let clock = ContinuousClock()
        let end = clock.now + .seconds(1 + duration)
        var started = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask {
                    while clock.now < end {
                        do {
                            let answer = try await endpoint.send(request, on: id, timeout: .seconds(5))
                            counters.count(success: answer.code.isSuccess)
                        } catch {
                            counters.count(success: false)
                        }
                    }
                }
            }
            try await Task.sleep(for: .seconds(1))
            started = clock.now
            counters.measuring.store(true, ordering: .relaxed)
            try await group.waitForAll()
        }
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let completed = counters.completed.load(ordering: .relaxed)
        let rate = Double(completed) / seconds
        print(String(format: "raw_round_trips_per_second=%.0f completed=%d failed=%d sessions=%d seconds=%.2f",
                     rate, completed, counters.failed.load(ordering: .relaxed), sessions, seconds))
    }
}

/// Round trips counted once the warm-up is over.
final class Counters: Sendable {
    let completed = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let measuring = Atomic<Bool>(false)

    func count(success: Bool) {
        guard measuring.load(ordering: .relaxed) else { return }
        if success { completed.add(1, ordering: .relaxed) } else { failed.add(1, ordering: .relaxed) }
    }
}
