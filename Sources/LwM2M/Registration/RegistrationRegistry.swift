import CoAP
import Foundation
import Logging
import Synchronization

/// Handles the registration interface's CoAP requests against the live registrations.
///
/// `handle(_:)` runs on the CoAP I/O thread: it only touches memory (`clients`, one lock for registrations and
/// their observations) and yields events to unbounded streams; persistence happens in the streams' consumers.
final class RegistrationRegistry: Sendable {
    /// The registrations and their observations: a de-registration, expiry or new registration removes the
    /// observations in the same step.
    let clients: LiveClientsLock
    /// What each registration change did to observations, in order (the server's observation supervisor).
    let observationChanges: AsyncStream<ObservationChange>
    private let observationContinuation: AsyncStream<ObservationChange>.Continuation
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let events: AsyncStream<RegistrationEvent>.Continuation
    private let sessions: SessionHolder
    private let receiver: ReportReceiver
    private let listeners = Mutex<[AsyncStream<RegistrationEvent>.Continuation]>([])
    private let credentials: DTLSCredentialStore
    private let limits: Limits
    /// Whether a NoSec Update or De-register must come from the registration's address.
    private let nosecAddressCheck: Bool

    /// How much one Register or Update may announce: an unauthenticated client must not make the server hold
    /// megabytes of links (each link is kept in memory, stored and listed over REST).
    struct Limits: Sendable {
        /// The largest payload, in bytes.
        var maxPayload = 65_536
        /// The most object links.
        var maxLinks = 2_048
        /// The most registered endpoints.
        var maxEndpoints = 100_000
        /// Registers per second per source address (0: no limit).
        var registerRate: Double = 100
    }

    /// Token buckets of Register requests per source address (IP without port), refilled at `registerRate` per
    /// second up to 10 s worth; buckets of addresses quiet long enough to be full again are dropped.
    private let registerBuckets = Mutex<(buckets: [String: (tokens: Double, at: ContinuousClock.Instant)],
                                         prunedAt: ContinuousClock.Instant)>(([:], .now))

    init(
        logger: Logger, clock: @escaping @Sendable () -> Date,
        events: AsyncStream<RegistrationEvent>.Continuation, sessions: SessionHolder, receiver: ReportReceiver,
        credentials: DTLSCredentialStore = DTLSCredentialStore(), limits: Limits = Limits(),
        nosecAddressCheck: Bool = false
    ) {
        self.nosecAddressCheck = nosecAddressCheck
        clients = receiver.clients
        (observationChanges, observationContinuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        self.limits = limits
        self.credentials = credentials
        self.logger = logger
        self.clock = clock
        self.events = events
        self.sessions = sessions
        self.receiver = receiver
    }

    /// Another ordered stream of registration events (the primary one feeds persistence).
    func makeEventStream() -> AsyncStream<RegistrationEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: RegistrationEvent.self, bufferingPolicy: .unbounded)
        listeners.withLock { $0.append(continuation) }
        return stream
    }

    private func publish(_ event: RegistrationEvent, removed: [Observation] = []) {
        ServerMetrics.registrationEvent(event, registrations: clients.withLock { $0.registrations.count })
        events.yield(event)
        for listener in listeners.withLock({ $0 }) { listener.yield(event) }
        switch event {
        case .registered(let registration, _):
            observationContinuation.yield(.registered(registration, removed: removed))
        case .updated(let registration):
            observationContinuation.yield(.updated(registration))
        case .deregistered(let registration), .expired(let registration):
            observationContinuation.yield(.ended(registration, removed: removed))
        }
    }

    func restore(_ registrations: [Registration]) {
        clients.withLock { clients in
            for registration in registrations { clients.registrations.restore(registration) }
        }
        if !registrations.isEmpty {
            logger.info("restored registrations", metadata: ["count": "\(registrations.count)"])
        }
    }

    /// `POST /dp`: Send (LwM2M 1.1 Transport §6.4), from the client registered over this session.
    func handleSend(_ inbound: CoAPInboundRequest) -> CoAPResponse {
        let request = inbound.request
        guard request.uriPath == ["dp"] else { return .error(.notFound, "no resource at \(request.path)") }
        guard request.method == .post else { return .error(.methodNotAllowed, "Send is a POST") }
        guard let entry = clients.withLock({ $0.registrations.entry(session: inbound.session) }) else {
            logger.warning("Send from an unregistered client refused", metadata: ["peer": "\(inbound.peerAddress)"])
            return .error(.forbidden, "register before sending")
        }
        if let refusal = securityRefusal(inbound, endpoint: entry.registration.endpoint) {
            return refuse("send", inbound, refusal)
        }
        return receiver.handleSend(request, registration: entry.registration)
    }

    /// The registration interface under `/rd`: `POST /rd`, `POST /rd/<id>`, `DELETE /rd/<id>` (LwM2M 1.1
    /// Transport §6.2).
    func handleRegistration(_ inbound: CoAPInboundRequest) -> CoAPResponse {
        let request = inbound.request
        guard request.uriPath.first == "rd", request.uriPath.count <= 2 else {
            return .error(.notFound, "no resource at \(request.path)")
        }
        switch (request.method, request.uriPath.count) {
        case (.post, 1):
            return register(inbound)
        case (.post, 2):
            return update(inbound, id: request.uriPath[1])
        case (.delete, 2):
            return deregister(inbound, id: request.uriPath[1])
        default:
            return .error(.methodNotAllowed, "\(request.method) not allowed on \(request.path)")
        }
    }

    private func register(_ inbound: CoAPInboundRequest) -> CoAPResponse {
        let request = inbound.request
        if let wait = registerRateRefusal(inbound.peerAddress) {
            ServerMetrics.limitRefusal("register-rate")
            logger.warning("refused register: rate limit", metadata: [
                "peer": "\(inbound.peerAddress)", "rate": "\(limits.registerRate)/s",
            ])
            var answer = CoAPResponse.error(.tooManyRequests, "too many registrations from this address; retry later")
            answer.maxAge = wait
            return answer
        }
        let parsed: RegisterRequest
        do {
            try checkSize(of: request.payload)
            parsed = try RegisterRequest.parse(
                query: request.queryItems, payload: request.payload, contentFormat: request.contentFormat)
            try checkLinks(parsed.links.objectLinks.count)
        } catch {
            return refuse("register", inbound, error)
        }
        if parsed.links.objectLinks.isEmpty {
            logger.warning("registered without object links: the server knows nothing it can manage", metadata: [
                "endpoint": "\(parsed.endpoint)", "peer": "\(inbound.peerAddress)",
            ])
        }
        if let refusal = securityRefusal(inbound, endpoint: parsed.endpoint) {
            return refuse("register", inbound, refusal)
        }
        let id = Self.newRegistrationID()
        let now = clock()
        let maxEndpoints = limits.maxEndpoints
        let outcome = clients.withLock { clients -> (RegistrationEvent, RegistrationTable.Entry?, [Observation])? in
            // A name already registered may always register again; a new one only below the limit.
            guard clients.registrations.entry(endpoint: parsed.endpoint) != nil
                || clients.registrations.count < maxEndpoints
            else { return nil }
            return clients.register(
                parsed, id: id, address: inbound.peerAddress, session: inbound.session,
                transport: Self.transport(of: inbound), now: now)
        }
        guard let (event, replaced, removed) = outcome else {
            ServerMetrics.limitRefusal("endpoints")
            return refuse("register", inbound, RegistrationError(
                .serviceUnavailable, "the server holds its maximum of \(maxEndpoints) registered endpoints"))
        }
        sessions.retain(inbound.session)
        if let old = replaced?.session, old != inbound.session { sessions.release(old) }
        publish(event, removed: removed)
        logger.info("registered", metadata: [
            "endpoint": "\(parsed.endpoint)", "registrationId": "\(id)", "peer": "\(inbound.peerAddress)",
            "lifetime": "\(parsed.lifetime)", "transport": "\(Self.transport(of: inbound).rawValue)",
            "lwm2m": "\(parsed.version.rawValue)", "binding": "\(parsed.binding)",
            "replaced": "\(replaced?.registration.id ?? "-")",
        ])
        return CoAPResponse(code: .created, locationPath: ["rd", id])
    }

    private func update(_ inbound: CoAPInboundRequest, id: String) -> CoAPResponse {
        let request = inbound.request
        if let registration = clients.withLock({ $0.registrations.entry(id: id)?.registration }),
            let refusal = securityRefusal(inbound, endpoint: registration.endpoint) ?? addressRefusal(inbound, registration)
        {
            return refuse("update", inbound, refusal)
        }
        let result: (event: RegistrationEvent, previousSession: CoAPSessionID?)
        do {
            try checkSize(of: request.payload)
            let parsed = try UpdateRequest.parse(
                query: request.queryItems, payload: request.payload, contentFormat: request.contentFormat)
            if let links = parsed.links { try checkLinks(links.objectLinks.count) }
            let now = clock()
            result = try clients.withLock { clients throws(RegistrationError) in
                try clients.update(
                    id: id, parsed, address: inbound.peerAddress, session: inbound.session,
                    transport: Self.transport(of: inbound), now: now)
            }
        } catch {
            return refuse("update", inbound, error)
        }
        // Holding is idempotent; this also covers registrations restored without a session after a restart.
        sessions.retain(inbound.session)
        sessions.release(result.previousSession)
        publish(result.event)
        logger.debug("updated", metadata: [
            "endpoint": "\(result.event.registration.endpoint)", "registrationId": "\(id)",
            "peer": "\(inbound.peerAddress)",
        ])
        return CoAPResponse(code: .changed)
    }

    private func deregister(_ inbound: CoAPInboundRequest, id: String) -> CoAPResponse {
        if let registration = clients.withLock({ $0.registrations.entry(id: id)?.registration }),
            let refusal = securityRefusal(inbound, endpoint: registration.endpoint) ?? addressRefusal(inbound, registration)
        {
            return refuse("deregister", inbound, refusal)
        }
        let result: (event: RegistrationEvent, entry: RegistrationTable.Entry, removed: [Observation])
        do {
            result = try clients.withLock { clients throws(RegistrationError) in try clients.deregister(id: id) }
        } catch {
            return refuse("deregister", inbound, error)
        }
        sessions.release(result.entry.session)
        publish(result.event, removed: result.removed)
        logger.info("deregistered", metadata: [
            "endpoint": "\(result.entry.registration.endpoint)", "registrationId": "\(id)",
        ])
        return CoAPResponse(code: .deleted)
    }

    /// Expires registrations whose lifetime ran out and publishes `.expired` for each.
    func sweep() {
        let now = clock()
        let expired = clients.withLock { $0.removeExpired(now: now) }
        for (entry, removed) in expired {
            sessions.release(entry.session)
            publish(.expired(entry.registration), removed: removed)
            logger.info("registration expired", metadata: [
                "endpoint": "\(entry.registration.endpoint)", "registrationId": "\(entry.registration.id)",
                "lifetime": "\(entry.registration.lifetime)",
            ])
        }
    }

    func finish() {
        events.finish()
        observationContinuation.finish()
        for listener in listeners.withLock({ $0 }) { listener.finish() }
    }

    /// Why `inbound` may not act as `endpoint`, or `nil` when it may: over DTLS, what the handshake proved (PSK
    /// identity, raw public key, certificate name) must belong to `endpoint` (so one device's credential cannot
    /// register another); over plain CoAP, the endpoint must have no credential (an endpoint given one must use it).
    private func securityRefusal(_ inbound: CoAPInboundRequest, endpoint: String) -> RegistrationError? {
        if let identity = inbound.peerIdentity {
            guard credentials.identity(identity, mayActAs: endpoint) else {
                return RegistrationError(.forbidden, "\(Self.describe(identity)) may not act as endpoint '\(endpoint)'")
            }
            return nil
        }
        if credentials.hasCredential(endpoint: endpoint) {
            return RegistrationError(.forbidden, "endpoint '\(endpoint)' has a credential: it must use CoAP over DTLS")
        }
        return nil
    }

    /// How a refusal names a DTLS identity: `PSK identity 'x'`, `the raw public key …`, `certificate 'x'`.
    static func describe(_ identity: CoAPPeerIdentity) -> String {
        switch identity {
        case .preSharedKey(let raw): "PSK identity '\(String(decoding: raw, as: UTF8.self))'"
        case .rawPublicKey(let key): "the raw public key ending \(key.suffix(8).hexString)"
        case .certificate(let name, _): "certificate '\(name)'"
        }
    }

    /// With `nosecAddressCheck`: why a plain-CoAP Update or De-register of `registration` is refused, or `nil`.
    /// For a NoSec device the registration id is the only proof of identity; the check ties it to the address too.
    private func addressRefusal(_ inbound: CoAPInboundRequest, _ registration: Registration) -> RegistrationError? {
        guard nosecAddressCheck, !inbound.isSecure, inbound.peerAddress != registration.address else { return nil }
        return RegistrationError(
            .forbidden, "registration \(registration.id) was made from \(registration.address), not \(inbound.peerAddress)")
    }

    /// Why `notification` may not count as a notification of `observation`, or `nil` when it may. The token is
    /// not proof (plain CoAP carries it in the clear): the notification must come from the client registered as
    /// the observation's endpoint. On the session of its last Register or Update it does; on another session (one
    /// the server opened to it, or any after a restart) it must come over DTLS with a PSK identity of that
    /// endpoint when the endpoint may only be reached over DTLS, and otherwise as plain CoAP from the registered
    /// address.
    func notificationRefusal(
        for observation: Observation, from notification: CoAPUnsolicitedResponse, in clients: LiveClients
    ) -> String? {
        guard let entry = clients.registrations.entry(endpoint: observation.endpoint) else {
            return "endpoint '\(observation.endpoint)' is not registered"
        }
        if let session = entry.session, session == notification.session { return nil }
        let registration = entry.registration
        if requiresDTLS(registration) {
            guard let identity = notification.peerIdentity else {
                return "endpoint '\(registration.endpoint)' is reached only over DTLS; this came as plain CoAP"
            }
            guard credentials.identity(identity, mayActAs: registration.endpoint) else {
                return "\(Self.describe(identity)) does not belong to endpoint '\(registration.endpoint)'"
            }
            return nil
        }
        if notification.isSecure {
            return "endpoint '\(registration.endpoint)' registered over plain CoAP; this came over DTLS"
        }
        guard notification.peerAddress == registration.address else {
            return "endpoint '\(registration.endpoint)' is registered at \(registration.address), "
                + "not \(notification.peerAddress)"
        }
        return nil
    }

    private func refuse(_ operation: String, _ inbound: CoAPInboundRequest, _ error: any Error) -> CoAPResponse {
        let refusal = (error as? RegistrationError) ?? RegistrationError(.badRequest, "\(error)")
        logger.warning("refused \(operation)", metadata: [
            "peer": "\(inbound.peerAddress)", "path": "\(inbound.request.path)",
            "query": "\(inbound.request.uriQuery.joined(separator: "&"))",
            "code": "\(refusal.code)", "reason": "\(refusal.message)",
        ])
        return .error(refusal.code, refusal.message)
    }

    /// With a register rate: `nil` when `peer` may register now (taking a token), else the seconds until it may.
    private func registerRateRefusal(_ peer: String) -> UInt32? {
        let rate = limits.registerRate
        guard rate > 0 else { return nil }
        // `ip:port` or `[ip]:port`: the address without the port.
        let host = peer.lastIndex(of: ":").map { String(peer[..<$0]) } ?? peer
        let capacity = max(1, rate * 10)
        let now = ContinuousClock.now
        return registerBuckets.withLock { state -> UInt32? in
            if state.buckets.count > 10_000, now - state.prunedAt > .seconds(10) {
                // Forget addresses whose bucket has refilled (where a new one would start), at most every 10 s:
                // this runs on the CoAP I/O thread.
                state.buckets = state.buckets.filter { (now - $0.value.at) / .seconds(1) * rate + $0.value.tokens < capacity }
                state.prunedAt = now
            }
            let bucket = state.buckets[host] ?? (capacity, now)
            let tokens = min(capacity, bucket.tokens + Double((now - bucket.at) / .milliseconds(1)) / 1000 * rate)
            guard tokens >= 1 else {
                state.buckets[host] = (tokens, now)
                return UInt32(((1 - tokens) / rate).rounded(.up))
            }
            state.buckets[host] = (tokens - 1, now)
            return nil
        }
    }

    private func checkSize(of payload: [UInt8]) throws(RegistrationError) {
        guard payload.count <= limits.maxPayload else {
            throw RegistrationError(
                .tooLarge, "payload of \(payload.count) bytes exceeds the limit of \(limits.maxPayload)")
        }
    }

    private func checkLinks(_ count: Int) throws(RegistrationError) {
        guard count <= limits.maxLinks else {
            throw RegistrationError(.tooLarge, "\(count) object links exceed the limit of \(limits.maxLinks)")
        }
    }

    /// DTLS when the request came over a DTLS session (it then carries the identity its handshake proved).
    static func transport(of inbound: CoAPInboundRequest) -> RegistrationTransport {
        inbound.peerIdentity == nil ? .udp : .dtls
    }

    /// Whether `registration` may only be reached over DTLS: it last registered or updated over DTLS, or its
    /// endpoint holds a credential (which forbids plain CoAP, see `securityRefusal`).
    func requiresDTLS(_ registration: Registration) -> Bool {
        registration.transport.isSecure || credentials.hasCredential(endpoint: registration.endpoint)
    }

    /// A fresh registration id: 10 random alphanumerics (about 59 bits).
    static func newRegistrationID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}

/// What a registration change did to observations (published in order with the registration events).
enum ObservationChange: Sendable {
    /// A client registered; `removed` are the observations of its earlier registration, to be made anew.
    case registered(Registration, removed: [Observation])
    /// A client updated.
    case updated(Registration)
    /// A registration ended (de-registration or expiry), taking `removed` with it.
    case ended(Registration, removed: [Observation])
}
