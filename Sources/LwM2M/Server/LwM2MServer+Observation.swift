import CoAP
import Foundation
import Logging

extension LwM2MServer: ObservationManagement {
    /// Puts back observations persisted before a restart, so their notifications are accepted (call before `start`).
    public func restoreObservations(_ observations: [Observation]) {
        let now = clock()
        let orphans = receiver.clients.withLock { clients in
            // Silence is counted from the restart, not from before it. One whose registration is not restored
            // (it ended while the server was down) is not put back.
            observations.filter { !clients.addObservation($0, heardAt: now) }
        }
        if !observations.isEmpty {
            logger.info("restored observations", metadata: [
                "count": "\(observations.count - orphans.count)", "withoutRegistration": "\(orphans.count)",
            ])
        }
        if !orphans.isEmpty, let store = observationStore {
            Task { try? await store.remove(ids: orphans.map(\.id)) }
        }
    }

    /// Observes paths of a registered client (LwM2M 1.1 Core §6.4.1, composite §6.4.3), writing attributes first.
    public func observe(
        endpoint: String, paths: [LwM2MPath], composite: Bool, attributes: NotificationAttributes?,
        format: ContentFormat?, timeout: Duration
    ) async throws(DeviceRequestError) -> [Observation] {
        guard !paths.isEmpty else { throw DeviceRequestError(.invalidRequest, "no paths to observe") }
        for path in paths where path.isRoot {
            throw DeviceRequestError(.invalidRequest, "cannot observe the root path")
        }
        if let attributes, !attributes.isEmpty {
            for path in paths {
                _ = try await send(.writeAttributes(path, attributes), to: endpoint, format: format, timeout: timeout)
            }
        }
        if composite {
            return [try await establish(endpoint: endpoint, paths: paths, composite: true, attributes: attributes,
                                        format: format, timeout: timeout)]
        }
        var established: [Observation] = []
        for path in paths {
            established.append(try await establish(
                endpoint: endpoint, paths: [path], composite: false, attributes: attributes, format: format,
                timeout: timeout))
        }
        return established
    }

    /// Cancels observations actively (GET/FETCH with Observe=1, RFC 7641 §3.6) and forgets them either way.
    public func cancelObservations(endpoint: String, paths: [LwM2MPath], timeout: Duration)
        async throws(DeviceRequestError) -> [Observation]
    {
        let wanted = Set(paths)
        let selected = receiver.clients.withLock { clients in
            clients.observations.observations(endpoint: endpoint)
                .filter { wanted.isEmpty || !wanted.isDisjoint(with: $0.paths) }
        }
        guard !selected.isEmpty else { return [] }
        await forget(selected)
        if let (entry, session) = try? await liveSession(for: endpoint) {
            for observation in selected {
                let request = observeRequest(
                    paths: observation.paths, composite: observation.composite, format: observation.format,
                    rootPath: entry.registration.rootPath, observe: 1)
                _ = try? await self.endpoint.send(request, on: session, timeout: timeout, token: observation.token)
            }
        }
        return selected
    }

    /// The active observations of `endpoint`.
    public func observations(endpoint: String) async -> [Observation] {
        receiver.clients.withLock { $0.observations.observations(endpoint: endpoint) }
    }

    /// The health of the observations of `endpoint`, by observation id.
    public func observationHealth(endpoint: String) async -> [String: ObservationHealth] {
        receiver.clients.withLock { clients in
            var health: [String: ObservationHealth] = [:]
            for observation in clients.observations.observations(endpoint: endpoint) {
                health[observation.id] = clients.observations.health(token: observation.token)
            }
            return health
        }
    }

    /// Marks stale the observations that brought no notification for `staleAfterPmax` × `pmax` (the service does
    /// this every `sweepInterval`).
    public func sweepSilentObservations() {
        let now = clock()
        let marked = receiver.clients.withLock {
            $0.observations.markSilent(now: now, factor: configuration.staleAfterPmax)
        }
        for observation in marked {
            ServerMetrics.observationStale(reason: "silent")
            logger.notice("observation stale: no notification for several pmax", metadata: [
                "endpoint": "\(observation.endpoint)", "observation": "\(observation.id)",
                "paths": "\(observation.paths.map(\.description).joined(separator: ","))",
                "pmax": "\(observation.attributes?.pmax ?? 0)",
            ])
        }
    }

    /// Marks every observation of `endpoint` stale (the client stopped answering).
    func markObservationsStale(endpoint: String, reason: String) {
        let now = clock()
        let marked = receiver.clients.withLock { $0.observations.markStale(endpoint: endpoint, at: now, reason: reason) }
        guard !marked.isEmpty else { return }
        ServerMetrics.observationStale(reason: "unanswered", count: marked.count)
        logger.notice("observations stale: the client stopped answering", metadata: [
            "endpoint": "\(endpoint)", "observations": "\(marked.map(\.id).joined(separator: ","))",
        ])
    }

    /// Counters of received notifications and Sends, for logs and tests.
    public var reportStatistics: (notifications: Int, sends: Int, undecodable: Int, dropped: Int) {
        let counters = receiver.statistics
        return (counters.notifications, counters.sends, counters.undecodable, counters.rejectedByConsumer)
    }

    // MARK: - Internals

    private func establish(
        endpoint: String, paths: [LwM2MPath], composite: Bool, attributes: NotificationAttributes?,
        format: ContentFormat?, timeout: Duration
    ) async throws(DeviceRequestError) -> Observation {
        let (entry, session) = try await liveSession(for: endpoint)
        let registration = entry.registration
        if composite, registration.lwm2mVersion == .v1_0 {
            // Composite Observe was added in LwM2M 1.1 (Core §6.4.3); a 1.0 client cannot answer it.
            throw DeviceRequestError(
                .invalidRequest, "composite Observe needs LwM2M 1.1 or later; '\(endpoint)' registered with LwM2M 1.0")
        }
        let chosen = composite
            ? ContentFormatNegotiation.composite(for: registration, forced: format)
            : (format ?? ContentFormatNegotiation.preferred(for: registration))
        if composite, chosen != .senmlJSON, chosen != .senmlCBOR {
            throw DeviceRequestError(.invalidRequest, "a composite observation needs SenML JSON or SenML CBOR")
        }
        let observation = Observation(
            id: LwM2MServer.newObservationID(), endpoint: endpoint, registrationID: registration.id, paths: paths,
            composite: composite, token: CoAPEndpoint.newToken(), format: chosen, attributes: attributes,
            createdAt: clock())
        // Known before the request leaves, so an early notification is not reset; refused when the registration
        // it is made under is no longer the live one.
        let limit = configuration.maxObservationsPerEndpoint
        let added = receiver.clients.withLock { clients -> Bool? in
            guard clients.observations.observations(endpoint: endpoint).count < limit else { return nil }
            return clients.addObservation(observation)
        }
        guard let added else {
            ServerMetrics.limitRefusal("observations")
            logger.warning("observation refused: too many observations", metadata: [
                "endpoint": "\(endpoint)", "limit": "\(limit)",
            ])
            throw DeviceRequestError(
                .limitExceeded, "endpoint '\(endpoint)' already has \(limit) observations (--max-observations-per-endpoint)")
        }
        guard added else {
            throw DeviceRequestError(.offline, "the registration of '\(endpoint)' ended before the observation was made")
        }
        let request = observeRequest(
            paths: paths, composite: composite, format: chosen, rootPath: registration.rootPath, observe: 0)
        let answer: CoAPResponse
        do {
            answer = try await self.endpoint.send(request, on: session, timeout: timeout, token: observation.token)
        } catch {
            receiver.clients.withLock { _ = $0.observations.remove(ids: [observation.id]) }
            throw Self.transportError(error, endpoint: endpoint, timeout: timeout)
        }
        guard answer.code == .content else {
            receiver.clients.withLock { _ = $0.observations.remove(ids: [observation.id]) }
            throw DeviceRequestError(
                .deviceError, answer.payloadText.isEmpty ? "client answered \(answer.code)" : answer.payloadText,
                coapCode: answer.code)
        }
        guard answer.observe != nil else {
            receiver.clients.withLock { _ = $0.observations.remove(ids: [observation.id]) }
            throw DeviceRequestError(.invalidResponse, "the client answered without an Observe option: not observing")
        }
        guard receiver.clients.withLock({ $0.holds(observation) }) else {
            // Removed while the Observe was answered: its registration ended, or it was cancelled.
            throw DeviceRequestError(.offline, "the registration of '\(endpoint)' ended while the observation was made")
        }
        if let store = observationStore {
            do { try await store.save(observation) } catch {
                logger.error("cannot persist an observation", metadata: ["observation": "\(observation.id)", "error": "\(error)"])
            }
        }
        // The first answer is the current value: store it like a notification.
        _ = receiver.handleUnsolicited(CoAPUnsolicitedResponse(
            session: session, peerAddress: registration.address, token: observation.token, response: answer))
        logger.info("observing", metadata: [
            "endpoint": "\(endpoint)", "paths": "\(paths.map(\.description).joined(separator: ","))",
            "observation": "\(observation.id)", "format": "\(chosen)",
        ])
        return observation
    }

    func observeRequest(paths: [LwM2MPath], composite: Bool, format: ContentFormat, rootPath: String, observe: UInt32)
        -> CoAPRequest
    {
        let root = rootPath.split(separator: "/").map(String.init)
        if composite {
            let payload = (try? SenMLPathList.encode(paths, format: format)) ?? []
            return CoAPRequest(method: .fetch, uriPath: root, contentFormat: format.rawValue, accept: format.rawValue,
                               observe: observe, payload: payload)
        }
        let path = paths.first ?? .root
        return CoAPRequest(method: .get, uriPath: root + path.ids.map(String.init), accept: format.rawValue, observe: observe)
    }

    private func forget(_ observations: [Observation]) async {
        let ids = Set(observations.map(\.id))
        receiver.clients.withLock { _ = $0.observations.remove(ids: ids) }
        if let store = observationStore {
            do { try await store.remove(ids: Array(ids)) } catch {
                logger.error("cannot remove persisted observations", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Re-establishes observations when a client registers anew (its old tokens are dead: a new registration
    /// starts with no observations, LwM2M 1.1 Core §6.2.1) and applies observation profiles; forgets (in storage;
    /// memory lost them with the registration) the observations of clients that de-register or expire; re-makes
    /// stale observations when a client updates.
    func superviseObservations() async {
        // Discarding: the group lives as long as the server, and its finished children must not pile up.
        await withDiscardingTaskGroup { group in
            for await change in registry.observationChanges {
                switch change {
                case .registered(let registration, let removed):
                    group.addTask { await self.reestablish(for: registration, previous: removed) }
                case .ended(_, let removed):
                    guard !removed.isEmpty else { break }
                    group.addTask { await self.forget(removed) }
                case .updated(let registration):
                    let stale = receiver.clients.withLock { $0.observations.beginRenewal(endpoint: registration.endpoint) }
                    guard !stale.isEmpty else { break }
                    group.addTask { await self.renew(stale, for: registration) }
                }
            }
        }
    }

    private func reestablish(for registration: Registration, previous: [Observation]) async {
        await forget(previous)
        var requests: [ObservationRequest] = []
        for observation in previous {
            let request = ObservationRequest(
                paths: observation.paths, composite: observation.composite, attributes: observation.attributes)
            if !requests.contains(request) { requests.append(request) }
        }
        for request in await profiles(registration) where !requests.contains(request) {
            requests.append(request)
        }
        for request in requests {
            await establish(request, for: registration)
        }
    }

    /// Re-makes stale observations after an Update (the client is talking again): each is observed anew with
    /// its paths and attributes, then the stale one is forgotten (a notification with its token, should the client
    /// still send one, is answered with a Reset and ends it there, RFC 7641 §3.6). One that cannot be re-made
    /// stays stale for the next Update.
    private func renew(_ stale: [Observation], for registration: Registration) async {
        for old in stale {
            do {
                let made = try await observe(
                    endpoint: registration.endpoint, paths: old.paths, composite: old.composite,
                    attributes: old.attributes, format: nil, timeout: configuration.observationSetupTimeout)
                await forget([old])
                ServerMetrics.observationRenewed()
                logger.info("stale observation re-established", metadata: [
                    "endpoint": "\(registration.endpoint)", "stale": "\(old.id)",
                    "observation": "\(made.map(\.id).joined(separator: ","))",
                ])
            } catch {
                receiver.clients.withLock { $0.observations.endRenewal(old) }
                logger.warning("cannot re-establish a stale observation", metadata: [
                    "endpoint": "\(registration.endpoint)", "observation": "\(old.id)", "error": "\(error)",
                ])
            }
        }
    }

    /// Observes `request` for `registration`, retrying after `observationSetupRetries` while the device does not
    /// answer (or cannot be reached) and the registration is still the current one.
    private func establish(_ request: ObservationRequest, for registration: Registration) async {
        var retries = configuration.observationSetupRetries[...]
        while true {
            do {
                _ = try await observe(
                    endpoint: registration.endpoint, paths: request.paths, composite: request.composite,
                    attributes: request.attributes, format: nil, timeout: configuration.observationSetupTimeout)
                return
            } catch {
                let transient = error.kind == .timeout || error.kind == .unreachable
                guard transient, let wait = retries.popFirst(), !Task.isCancelled else {
                    logger.warning("cannot establish an observation after registration", metadata: [
                        "endpoint": "\(registration.endpoint)",
                        "paths": "\(request.paths.map(\.description).joined(separator: ","))", "error": "\(error)",
                    ])
                    return
                }
                logger.debug("observation after registration failed; retrying", metadata: [
                    "endpoint": "\(registration.endpoint)", "error": "\(error)", "after": "\(wait)",
                ])
                try? await Task.sleep(for: wait)
                guard !Task.isCancelled, self.registration(endpoint: registration.endpoint)?.id == registration.id
                else { return }
            }
        }
    }

    /// A fresh observation id: 12 random alphanumerics.
    static func newObservationID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
