import CoAP
import Foundation
import Logging
import Synchronization
import Testing

@testable import LwM2M

/// The observations a server makes right after a registration (profiles, re-established ones) are retried when
/// the device does not answer at first: the real server and a real CoAP device on loopback, in process.
@Suite(.serialized)
struct ObservationSetupRetryTests {
    let logger = Logger(label: "observation-setup") { _ in SwiftLogNoOpLogHandler() }

    /// A device that registers with `/3303/0` and ignores every Observe that arrives within `deafFor` after
    /// its registration (no answer at all), then answers them.
    final class Device: Sendable {
        final class Record: Sendable {
            let observeRequests = Mutex(0)
            let registeredAt = Mutex<ContinuousClock.Instant?>(nil)
        }

        let endpoint: CoAPEndpoint
        let record = Record()
        var observeRequests: Int { record.observeRequests.withLock { $0 } }

        init(deafFor: Duration, logger: Logger) {
            let record = record
            endpoint = CoAPEndpoint(configuration: .init(), logger: logger) { inbound in
                guard inbound.request.observe == 0, inbound.request.path == "/3303/0/5700" else {
                    return .error(.notFound, "")
                }
                record.observeRequests.withLock { $0 += 1 }
                guard let start = record.registeredAt.withLock({ $0 }), ContinuousClock.now - start >= deafFor else {
                    return nil
                }
                return CoAPResponse(code: .content, contentFormat: 0, payload: Array("21.5".utf8), observe: 2)
            }
        }

        func register(port: UInt16, name: String) async throws {
            try endpoint.start()
            let session = try await endpoint.connect(host: "127.0.0.1", port: port)
            record.registeredAt.withLock { $0 = .now }
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
                host: "127.0.0.1", coapPort: 0, observationSetupTimeout: timeout,
                observationSetupRetries: retries),
            logger: logger, objectModel: model,
            profiles: { _ in [ObservationRequest(paths: [try! LwM2MPath("/3303/0/5700")])] })
    }

    @Test func aDeviceThatMissesTheFirstTransmissionIsObservedThroughTheRetransmission() async throws {
        // The Swift-side wait covers libcoap's retransmissions (ACK_TIMEOUT 2-3 s): the device hears the
        // retransmitted request and the observation is made on the first attempt.
        let server = try server(timeout: .seconds(20), retries: [])
        try server.start()
        let running = Task { try await server.run() }
        defer { running.cancel() }
        let device = Device(deafFor: .milliseconds(900), logger: logger)
        defer { device.endpoint.stop() }
        try await device.register(port: server.boundPort ?? 0, name: "slow-1")

        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            let observed = await !server.observations(endpoint: "slow-1").isEmpty
            if observed, device.observeRequests >= 2 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(device.observeRequests >= 2)
        #expect(await server.observations(endpoint: "slow-1").map(\.paths) == [[try LwM2MPath("/3303/0/5700")]])
    }

    @Test func aWaitShorterThanTheRetransmissionLosesTheObservation() async throws {
        // Why the default wait is long: with 400 ms and no retry, the answer to the retransmission comes too late.
        let server = try server(timeout: .milliseconds(400), retries: [])
        try server.start()
        let running = Task { try await server.run() }
        defer { running.cancel() }
        let device = Device(deafFor: .milliseconds(900), logger: logger)
        defer { device.endpoint.stop() }
        try await device.register(port: server.boundPort ?? 0, name: "slow-2")
        try await Task.sleep(for: .seconds(4))
        #expect(device.observeRequests >= 1)
        #expect(await server.observations(endpoint: "slow-2").isEmpty)
    }
}
