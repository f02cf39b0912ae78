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

    func server(retries: [Duration]) throws -> LwM2MServer {
        let (model, _, _) = ObjectModelRegistry.loadBuiltin(extraDirectories: [])
        #expect(model.object(3303) != nil)
        return LwM2MServer(
            configuration: .init(
                host: "127.0.0.1", coapPort: 0, observationSetupTimeout: .milliseconds(400),
                observationSetupRetries: retries),
            logger: logger, objectModel: model,
            profiles: { _ in [ObservationRequest(paths: [try! LwM2MPath("/3303/0/5700")])] })
    }

    @Test func anObservationTheDeviceIgnoresAtFirstIsRetriedUntilItAnswers() async throws {
        let server = try server(retries: [.milliseconds(300), .milliseconds(300), .milliseconds(300)])
        try server.start()
        let running = Task { try await server.run() }
        defer { running.cancel() }
        let device = Device(deafFor: .milliseconds(900), logger: logger)
        defer { device.endpoint.stop() }
        try await device.register(port: server.boundPort ?? 0, name: "slow-1")

        // Ignored at 0 s and about 0.7 s, answered at about 1.4 s (an observation is listed while it is being
        // made, so wait for the answer, then for the failed attempts to be cleaned up).
        let deadline = ContinuousClock.now + .seconds(8)
        while device.observeRequests < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(device.observeRequests >= 3)
        #expect(await server.observations(endpoint: "slow-1").map(\.paths) == [[try LwM2MPath("/3303/0/5700")]])
    }

    @Test func withoutRetriesTheObservationIsNotMade() async throws {
        let server = try server(retries: [])
        try server.start()
        let running = Task { try await server.run() }
        defer { running.cancel() }
        let device = Device(deafFor: .milliseconds(900), logger: logger)
        defer { device.endpoint.stop() }
        try await device.register(port: server.boundPort ?? 0, name: "slow-2")
        try await Task.sleep(for: .seconds(2))
        #expect(await server.observations(endpoint: "slow-2").isEmpty)
        #expect(device.observeRequests >= 1)
    }
}
