import CoAP
import Foundation
import Logging
import Synchronization
import Testing

@testable import LwM2M

/// The observations a server makes right after a registration (profiles, re-established ones) when the device
/// answers late, as devices do under load: the real server and a real CoAP device on loopback, in process.
@Suite(.serialized)
struct ObservationSetupRetryTests {
    let logger = Logger(label: "observation-setup") { _ in SwiftLogNoOpLogHandler() }

    /// A device that registers with `/3303/0` and answers its first `late` Observe requests late: an empty ACK at
    /// once, the 2.05 as a separate response (RFC 7252 §5.2.2) `delay` later; later requests at once.
    final class Device: Sendable {
        final class Record: Sendable {
            let observeRequests = Mutex(0)
            let endpoint = Mutex<CoAPEndpoint?>(nil)
        }

        let endpoint: CoAPEndpoint
        let record = Record()
        var observeRequests: Int { record.observeRequests.withLock { $0 } }

        init(delay: Duration, late: Int, logger: Logger) {
            let record = record
            endpoint = CoAPEndpoint(configuration: .init(), logger: logger) { inbound in
                guard inbound.request.observe == 0, inbound.request.path == "/3303/0/5700" else {
                    return .error(.notFound, "")
                }
                let count = record.observeRequests.withLock { $0 += 1; return $0 }
                let answer = CoAPResponse(code: .content, contentFormat: 0, payload: Array("21.5".utf8), observe: 2)
                guard count <= late else { return answer }
                Task {
                    try await Task.sleep(for: delay)
                    try await record.endpoint.withLock({ $0 })?.sendNotification(
                        answer, token: inbound.token, on: inbound.session, confirmable: true)
                }
                return CoAPResponse(code: CoAPCode(rawValue: 0))
            }
            record.endpoint.withLock { $0 = endpoint }
        }

        func register(port: UInt16, name: String) async throws {
            try endpoint.start()
            let session = try await endpoint.connect(host: "127.0.0.1", port: port)
            let answer = try await endpoint.send(
                CoAPRequest(method: .post, uriPath: ["rd"], uriQuery: ["ep=\(name)", "lt=60", "lwm2m=1.1"],
                            contentFormat: 40, payload: Array("</3303/0>".utf8)),
                on: session)
            #expect(answer.code == .created)
        }
    }

    func server(timeout: Duration, retries: [Duration]) throws -> LwM2MServer {
        let (model, _, _) = ObjectModelRegistry.loadBuiltin(extraDirectories: [])
        #expect(model.object(3303) != nil)
        return LwM2MServer(
            configuration: .init(
                host: "127.0.0.1", coapPort: 0, observationSetupTimeout: timeout, observationSetupRetries: retries),
            logger: logger, objectModel: model,
            profiles: { _ in [ObservationRequest(paths: [try! LwM2MPath("/3303/0/5700")])] })
    }

    /// Registers a device answering `delay` late with a server waiting `timeout`; whether it ends up observed.
    func observed(delay: Duration, late: Int = .max, timeout: Duration, retries: [Duration] = [], name: String)
        async throws
        -> (observed: Bool, requests: Int)
    {
        let server = try server(timeout: timeout, retries: retries)
        try server.start()
        let running = Task { try await server.run() }
        defer { running.cancel() }
        let device = Device(delay: delay, late: late, logger: logger)
        defer { device.endpoint.stop() }
        try await device.register(port: server.boundPort ?? 0, name: name)
        // An observation is listed while it is being made, so look only after the late answer (or its loss)
        // and every attempt are over.
        try await Task.sleep(for: delay + .seconds(1.5))
        let made = await server.observations(endpoint: name).map(\.paths) == [[try LwM2MPath("/3303/0/5700")]]
        return (made, device.observeRequests)
    }

    @Test func aLateAnswerWithinTheWaitMakesTheObservation() async throws {
        let result = try await observed(delay: .milliseconds(1500), timeout: .seconds(8), name: "late-1")
        #expect(result.observed)
        #expect(result.requests == 1)
    }

    @Test func aLateAnswerAfterTheWaitIsLostWithoutARetry() async throws {
        // Why the default wait is long: here the answer arrives after the server gave up. The answer comes 4 s
        // after a 0.5 s wait, a margin that a loaded machine (suites run in parallel) does not eat up.
        let result = try await observed(delay: .seconds(4), timeout: .milliseconds(500), name: "late-2")
        #expect(!result.observed)
    }

    @Test func aRetryAfterATimeoutMakesTheObservation() async throws {
        // The first answer is too late (4 s for a 0.5 s wait); the retry is answered at once.
        let result = try await observed(
            delay: .seconds(4), late: 1, timeout: .milliseconds(500), retries: [.milliseconds(200)],
            name: "late-3")
        #expect(result.observed)
        #expect(result.requests == 2)
    }

    @Test func withoutRetriesThatDeviceStaysUnobserved() async throws {
        let result = try await observed(
            delay: .seconds(4), late: 1, timeout: .milliseconds(500), retries: [], name: "late-4")
        #expect(!result.observed)
        #expect(result.requests == 1)
    }
}
