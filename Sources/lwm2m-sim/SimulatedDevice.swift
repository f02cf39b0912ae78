import CoAP
import Foundation
import Logging
import LwM2M
import Synchronization

/// One simulated LwM2M client: registers, updates at half its lifetime, re-registers when forgotten.
final class SimulatedDevice: Sendable {
    let name: String
    let lifetime: Int
    let version: LwM2MVersion
    let coap: CoAPEndpoint
    let server: ServerAddress
    let logger: Logger
    let stats: SimulationStats
    private let state = Mutex<(session: CoAPSessionID?, location: [String]?)>((nil, nil))

    init(name: String, lifetime: Int, version: LwM2MVersion, coap: CoAPEndpoint, server: ServerAddress,
         logger: Logger, stats: SimulationStats) {
        self.name = name
        self.lifetime = lifetime
        self.version = version
        self.coap = coap
        self.server = server
        self.logger = logger
        self.stats = stats
    }

    /// The objects this client announces (Security and Server instances, Device).
    var objectLinks: String {
        var links = [WebLink(target: "/", parameters: [
            LinkParameter(name: "rt", value: "oma.lwm2m", quoted: true),
        ])]
        if version != .v1_0 {
            links[0].parameters.append(LinkParameter(name: "ct", value: "110"))
        }
        links += ["/0/0", "/1/0", "/3/0"].map { WebLink(target: $0) }
        return LinkFormat.serialize(links)
    }

    /// Registers, then keeps the registration alive until cancelled.
    func live(directory: DeviceDirectory) async {
        var backoff = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                let session = try await currentSession(directory: directory)
                if state.withLock({ $0.location }) == nil {
                    try await register(session: session)
                    backoff = .seconds(1)
                }
                try await Task.sleep(for: .seconds(max(1, Double(lifetime) / 2)))
                try await update(session: session)
            } catch is CancellationError {
                return
            } catch {
                stats.withLock { $0.failures += 1 }
                logger.warning("endpoint failed, retrying", metadata: ["endpoint": "\(name)", "error": "\(error)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }

    private func currentSession(directory: DeviceDirectory) async throws -> CoAPSessionID {
        if let session = state.withLock({ $0.session }) { return session }
        let session = try await coap.connect(host: server.host, port: server.port)
        state.withLock { $0.session = session }
        directory.add(self, session: session)
        return session
    }

    private func register(session: CoAPSessionID) async throws {
        var query = ["ep=\(name)", "lt=\(lifetime)", "lwm2m=\(version.rawValue)", "b=U"]
        if version == .v1_0 { query[3] = "b=U" }
        let response = try await coap.send(
            CoAPRequest(method: .post, uriPath: ["rd"], uriQuery: query, contentFormat: 40,
                        payload: Array(objectLinks.utf8)),
            on: session)
        guard response.code == .created, response.locationPath.count == 2 else {
            throw SimulatorError("register answered \(response.code) \(response.payloadText)")
        }
        state.withLock { $0.location = response.locationPath }
        stats.withLock { $0.registered += 1 }
        logger.debug("registered", metadata: ["endpoint": "\(name)", "location": "\(response.locationPath.joined(separator: "/"))"])
    }

    private func update(session: CoAPSessionID) async throws {
        guard let location = state.withLock({ $0.location }) else { return }
        let response = try await coap.send(CoAPRequest(method: .post, uriPath: location), on: session)
        if response.code == .changed {
            stats.withLock { $0.updates += 1 }
            return
        }
        if response.code == .notFound {
            // The server forgot us (expiry, restart without state): register again (LwM2M 1.1 Core §6.2.2).
            state.withLock { $0.location = nil }
            stats.withLock { $0.reRegistrations += 1; $0.registered -= 1 }
            logger.info("update answered 4.04, registering again", metadata: ["endpoint": "\(name)"])
            return
        }
        throw SimulatorError("update answered \(response.code) \(response.payloadText)")
    }

    /// Sends De-register (LwM2M 1.1 Core §6.2.3), best effort with a short timeout.
    @discardableResult
    func deregister() async -> Bool {
        let (session, location) = state.withLock { ($0.session, $0.location) }
        guard let session, let location else { return false }
        state.withLock { $0.location = nil }
        do {
            let response = try await coap.send(
                CoAPRequest(method: .delete, uriPath: location), on: session, timeout: .seconds(5))
            guard response.code == .deleted else {
                logger.warning("de-register answered \(response.code)", metadata: ["endpoint": "\(name)"])
                return false
            }
            return true
        } catch {
            logger.warning("de-register failed", metadata: ["endpoint": "\(name)", "error": "\(error)"])
            return false
        }
    }

    /// Answers requests from the server; this skeleton device has no object tree yet, so all are 4.04.
    func handle(_ request: CoAPRequest) -> CoAPResponse {
        .error(.notFound, "\(request.path) not found on \(name)")
    }
}

/// A simulator failure with a message.
struct SimulatorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
