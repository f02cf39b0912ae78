import CoAP
import Foundation
import Logging
import Testing

@testable import LwM2M

/// Who may send a notification for an observation: the token is not enough, the sender must be the observed client.
struct NotificationSenderTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    func registry(credentials: [PSKCredential]) -> RegistrationRegistry {
        let (_, continuation) = AsyncStream.makeStream(of: RegistrationEvent.self)
        let receiver = ReportReceiver(
            model: ObjectModelRegistry(), logger: Logger(label: "test"), clock: { Date() }, sink: nil)
        let registry = RegistrationRegistry(
            logger: Logger(label: "test"), clock: { Date() }, events: continuation, sessions: SessionHolder(),
            receiver: receiver, credentials: DTLSCredentialStore(credentials))
        // As after a restart: no live session yet.
        registry.restore([
            Registration(
                id: "r-d", endpoint: "dev-d", lwm2mVersion: .v1_1, binding: "U", queueMode: false, lifetime: 300,
                objectLinks: [], address: "127.0.0.1:40000", transport: .dtls, registeredAt: now, lastUpdate: now),
            Registration(
                id: "r-u", endpoint: "dev-u", lwm2mVersion: .v1_1, binding: "U", queueMode: false, lifetime: 300,
                objectLinks: [], address: "127.0.0.1:40001", transport: .udp, registeredAt: now, lastUpdate: now),
        ])
        return registry
    }

    /// The registry's verdict against its live registrations.
    func refusal(_ registry: RegistrationRegistry, _ observation: Observation, from notification: CoAPUnsolicitedResponse)
        -> String?
    {
        registry.clients.withLock { registry.notificationRefusal(for: observation, from: notification, in: $0) }
    }

    func observation(of endpoint: String) -> Observation {
        Observation(
            id: "o-\(endpoint)", endpoint: endpoint, registrationID: "r", paths: [LwM2MPath(objectID: 3303)],
            composite: false, token: [1, 2, 3, 4], format: .text, attributes: nil, createdAt: now)
    }

    func notification(from address: String, identity: String? = nil, session: UInt64 = 99) -> CoAPUnsolicitedResponse {
        CoAPUnsolicitedResponse(
            session: CoAPSessionID(rawValue: session), peerAddress: address, token: [1, 2, 3, 4],
            response: CoAPResponse(code: .content), pskIdentity: identity.map { Array($0.utf8) })
    }

    @Test func aDTLSEndpointsNotificationsCountOnlyOverDTLSWithItsOwnIdentity() {
        let registry = registry(credentials: [
            PSKCredential(endpoint: "dev-d", identity: "id-d", key: [1]),
            PSKCredential(endpoint: "other", identity: "id-other", key: [2]),
        ])
        let observation = observation(of: "dev-d")
        #expect(refusal(registry, observation, from: notification(from: "127.0.0.1:40000", identity: "id-d")) == nil)
        // Plaintext, even from the registered address.
        #expect(refusal(registry, observation, from: notification(from: "127.0.0.1:40000")) != nil)
        // Another device's identity, or one nobody was given.
        #expect(refusal(registry, observation, from: notification(from: "127.0.0.1:40000", identity: "id-other")) != nil)
        #expect(refusal(registry, observation, from: notification(from: "127.0.0.1:40000", identity: "nobody")) != nil)
    }

    @Test func aPlainEndpointsNotificationsCountOnlyFromItsRegisteredAddress() {
        let registry = registry(credentials: [])
        let observation = observation(of: "dev-u")
        #expect(refusal(registry, observation, from: notification(from: "127.0.0.1:40001")) == nil)
        #expect(refusal(registry, observation, from: notification(from: "127.0.0.1:40002")) != nil)
        #expect(refusal(registry, observation, from: notification(from: "10.0.0.9:40001")) != nil)
        #expect(refusal(registry, observation, from: notification(from: "127.0.0.1:40001", identity: "x")) != nil)
    }

    @Test func aPlainEndpointGivenAKeySinceItRegisteredMustUseDTLS() {
        let registry = registry(credentials: [PSKCredential(endpoint: "dev-u", identity: "id-u", key: [3])])
        let observation = observation(of: "dev-u")
        #expect(refusal(registry, observation, from: notification(from: "127.0.0.1:40001")) != nil)
        #expect(refusal(registry, observation, from: notification(from: "127.0.0.1:40001", identity: "id-u")) == nil)
    }

    @Test func anUnregisteredEndpointsNotificationsAreRefused() {
        let registry = registry(credentials: [])
        #expect(refusal(registry, observation(of: "gone"), from: notification(from: "127.0.0.1:40001")) != nil)
    }

    @Test func theReceiverResetsAndCountsWhatTheCheckRefuses() throws {
        let receiver = ReportReceiver(
            model: ObjectModelRegistry.loadBuiltin().registry, logger: Logger(label: "test"), clock: { Date() },
            sink: { _ in Issue.record("a refused notification reached the sink"); return true })
        receiver.clients.withLock { $0.observations.add(observation(of: "dev-u")) }
        let refused = receiver.handleUnsolicited(notification(from: "127.0.0.1:1")) { _, _, _ in "not the client" }
        #expect(!refused)
        #expect(receiver.statistics.foreignSenders == 1)
        #expect(receiver.clients.withLock { $0.observations.count } == 1)
    }
}
