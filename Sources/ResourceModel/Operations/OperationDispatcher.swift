import Foundation
import Logging
import LwM2M
import Metrics
import ServiceLifecycle
import Synchronization

/// How the dispatcher paces operations.
public struct OperationDispatcherConfiguration: Sendable {
    /// How long a queue-mode device stays reachable after it last talked to the server: CoAP's MAX_TRANSMIT_WAIT
    /// (RFC 7252 §4.8.2), 93 s, which LwM2M queue-mode clients such as Zephyr's keep their receiver on by default.
    public var awakeWindow: TimeInterval
    /// Operations in flight per endpoint at most.
    public var perEndpointLimit: Int
    /// Operations in flight over all endpoints at most.
    public var globalLimit: Int
    /// How long one send waits for the device's answer.
    public var requestTimeout: Duration
    /// How often deadlines, retries and awake windows are checked.
    public var sweepInterval: Duration
    /// Back-off between attempts.
    public var retryPolicy: OperationStateMachine.RetryPolicy
    /// How long finished operations (and their history) are kept; `nil` keeps them forever. Pruned hourly.
    public var retention: TimeInterval?
    /// The pause between two blocks of a block-wise write (`block-write` operations), for devices that need
    /// time to store each block.
    public var blockDelay: Duration
    /// The most open (queued or sending) operations one endpoint may have when an operator queues another
    /// (`--max-queued-operations-per-endpoint`); the server's own steps (firmware updates) are not limited.
    public var maxOpenPerEndpoint: Int

    /// Creates a configuration.
    public init(awakeWindow: TimeInterval = 93, perEndpointLimit: Int = 1, globalLimit: Int = 256,
                requestTimeout: Duration = .seconds(30), sweepInterval: Duration = .seconds(1),
                retryPolicy: OperationStateMachine.RetryPolicy = .init(), retention: TimeInterval? = 30 * 86_400,
                blockDelay: Duration = .zero, maxOpenPerEndpoint: Int = 1_000) {
        precondition(perEndpointLimit >= 1 && globalLimit >= 1, "limits must be at least 1")
        self.maxOpenPerEndpoint = maxOpenPerEndpoint
        self.awakeWindow = awakeWindow
        self.perEndpointLimit = perEndpointLimit
        self.globalLimit = globalLimit
        self.requestTimeout = requestTimeout
        self.sweepInterval = sweepInterval
        self.retryPolicy = retryPolicy
        self.retention = retention
        self.blockDelay = blockDelay
    }
}

/// Whether an endpoint can be sent to now.
public enum EndpointPresence: String, Sendable, Equatable {
    /// Registered, not in queue mode: reachable.
    case online
    /// In queue mode and within its awake window: reachable.
    case awake
    /// In queue mode and asleep: requests wait for its next message.
    case sleeping
    /// Not registered.
    case offline
}

/// Sends queued operations (`endpoint_operation`) to devices as they become reachable: online devices at once,
/// queue-mode devices when they next talk to the server (register, update, Send, notification), within their
/// awake window. Most urgent first (priority, then age), at most `perEndpointLimit` per endpoint and
/// `globalLimit` in all. Every status change is stored with its history and published on the live stream
/// (`OPERATION`), and so are the queue-mode devices' `AWAKE` and `SLEEPING`.
///
/// The decisions are `OperationStateMachine`'s; this service only carries them out. At start it recovers what a
/// previous run left `sending` (`recoverAfterRestart`: idempotent kinds are retried, Execute and Create fail
/// rather than risk a second delivery).
public final class OperationDispatcher: Service, Sendable {
    private struct EndpointState {
        var queueMode: Bool
        /// For queue mode: reachable until then; `nil` asleep.
        var awakeUntil: Date?
        var inFlight = 0
        /// Restored after a restart with a DTLS registration: unreachable (like a sleeping device) until its next
        /// Register or Update, since the server cannot open a DTLS session and must not fall back to plaintext.
        var awaitingContact = false
    }

    private struct State: ~Copyable {
        var endpoints: [String: EndpointState] = [:]
        var globalInFlight = 0
        /// Endpoints refused a slot because the global limit was reached; pumped when one frees.
        var starved: Set<String> = []
        /// Graceful shutdown began: no new attempts start.
        var stopping = false
        /// When finished operations were last pruned.
        var lastPrune: Date?
    }

    private let store: any OperationStore
    private let deviceManagement: any DeviceManagement
    private let observations: (any ObservationManagement)?
    private let hub: LiveEventHub?
    private let configuration: OperationDispatcherConfiguration
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let registrationEvents: AsyncStream<RegistrationEvent>
    private let state = Mutex(State())
    private let pumpRequests: AsyncStream<String>
    private let pumpContinuation: AsyncStream<String>.Continuation
    private let changeObservers = Mutex<[AsyncStream<EndpointOperation>.Continuation]>([])
    private let blockSources = Mutex<[String: any BlockWriteSource]>([:])
    /// The block size each device settled on per resource (`endpoint path`), for the next part of a write.
    private let blockSizes = Mutex<[String: Int]>([:])

    /// Creates the dispatcher. `registrationEvents` is the LwM2M server's event stream (registrations,
    /// updates, de-registrations, expiries).
    public init(store: any OperationStore, deviceManagement: any DeviceManagement,
                observations: (any ObservationManagement)?, registrationEvents: AsyncStream<RegistrationEvent>,
                hub: LiveEventHub?, configuration: OperationDispatcherConfiguration = .init(), logger: Logger,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.deviceManagement = deviceManagement
        self.observations = observations
        self.registrationEvents = registrationEvents
        self.hub = hub
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        (pumpRequests, pumpContinuation) = AsyncStream.makeStream(of: String.self)
    }

    // MARK: - Inputs

    /// The endpoints registered when the server starts: queue-mode ones start asleep, and so do DTLS ones until
    /// they talk to the server again (their requests queue).
    public func restore(_ registrations: [Registration]) {
        state.withLock { state in
            for registration in registrations {
                state.endpoints[registration.endpoint] = EndpointState(
                    queueMode: registration.queueMode, awaitingContact: registration.transport.isSecure)
            }
        }
    }

    /// A registration event: registering and updating make a device reachable (a queue-mode one for its awake
    /// window); de-registration and expiry make it unreachable (its queued operations wait for it).
    public func handle(_ event: RegistrationEvent) {
        let now = clock()
        switch event {
        case .registered(let registration, _), .updated(let registration):
            let wokeUp = state.withLock { state -> Bool in
                var entry = state.endpoints[registration.endpoint] ?? EndpointState(queueMode: registration.queueMode)
                let wasAwake = entry.awakeUntil.map { $0 > now } ?? false
                let wasAwaitingContact = entry.awaitingContact
                entry.queueMode = registration.queueMode
                entry.awaitingContact = false
                entry.awakeUntil = registration.queueMode ? now.addingTimeInterval(configuration.awakeWindow) : nil
                state.endpoints[registration.endpoint] = entry
                return (registration.queueMode && !wasAwake) || wasAwaitingContact
            }
            if wokeUp { hub?.publishPresence(endpoint: registration.endpoint, awake: true, at: now) }
            pumpContinuation.yield(registration.endpoint)
        case .deregistered(let registration), .expired(let registration):
            state.withLock { _ = $0.endpoints.removeValue(forKey: registration.endpoint) }
        }
    }

    /// A device sent something (a notification or a Send): a queue-mode device is awake again.
    public func deviceActive(_ endpoint: String) {
        let now = clock()
        let wokeUp = state.withLock { state -> Bool? in
            guard var entry = state.endpoints[endpoint], entry.queueMode else { return nil }
            let wasAwake = entry.awakeUntil.map { $0 > now } ?? false
            entry.awakeUntil = now.addingTimeInterval(configuration.awakeWindow)
            state.endpoints[endpoint] = entry
            return !wasAwake
        }
        guard let wokeUp else { return }
        if wokeUp {
            hub?.publishPresence(endpoint: endpoint, awake: true, at: now)
            pumpContinuation.yield(endpoint)
        }
    }

    /// Whether `endpoint` can be sent to now.
    public func presence(of endpoint: String) -> EndpointPresence {
        let now = clock()
        return state.withLock { state in
            guard let entry = state.endpoints[endpoint] else { return .offline }
            return Self.presence(of: entry, at: now)
        }
    }

    /// The names of the registered endpoints by presence (online, awake or sleeping; every other endpoint is
    /// offline), read at one instant: what the endpoint list filters and counts with.
    public func registeredNamesByPresence() -> [EndpointPresence: Set<String>] {
        let now = clock()
        return state.withLock { state in
            var names: [EndpointPresence: Set<String>] = [.online: [], .awake: [], .sleeping: []]
            for (name, entry) in state.endpoints { names[Self.presence(of: entry, at: now), default: []].insert(name) }
            return names
        }
    }

    private static func presence(of entry: EndpointState, at now: Date) -> EndpointPresence {
        if entry.awaitingContact { return .sleeping }
        guard entry.queueMode else { return .online }
        return (entry.awakeUntil.map { $0 > now } ?? false) ? .awake : .sleeping
    }

    /// Queues `new` for every endpoint in `endpoints` (all or none: `OperationQueueError.unknownEndpoints`),
    /// publishes them and starts sending to the reachable ones. `limited` (an operator's request) refuses the whole
    /// batch when one endpoint already has `maxOpenPerEndpoint` open operations (`OperationQueueError.tooManyOpen`).
    public func enqueue(_ new: NewOperation, for endpoints: [String], limited: Bool = false) async throws
        -> [EndpointOperation]
    {
        let now = clock()
        let operations: [EndpointOperation]
        do {
            operations = try await store.enqueue(
                new, for: endpoints, at: now, maxOpenPerEndpoint: limited ? configuration.maxOpenPerEndpoint : nil)
        } catch let error as OperationQueueError {
            if case .tooManyOpen(let names, _) = error {
                Counter(label: "lwm2m_limit_refusals_total", dimensions: [("limit", "queued-operations")]).increment()
                logger.warning("operation refused: too many open operations", metadata: [
                    "endpoints": "\(names.prefix(10).joined(separator: ","))", "limit": "\(configuration.maxOpenPerEndpoint)",
                ])
            }
            throw error
        }
        for operation in operations {
            publish(operation, note: "queued")
            pumpContinuation.yield(operation.endpoint)
        }
        return operations
    }

    /// Cancels operation `id` if it is still queued. `nil` when there is no such operation; otherwise the
    /// change (its `action` is `.rejected` when it could not be cancelled).
    public func cancel(id: Int64, by who: String = "operator") async throws -> OperationChange? {
        let now = clock()
        let change = try await store.transitionOperation(
            id: id, at: now, retryPolicy: configuration.retryPolicy, result: nil) { $0.cancel(now: now, by: who) }
        if let change { publish(change) }
        return change
    }

    /// Every change of every operation from now on (queued, sending, each outcome), in the order the dispatcher
    /// stored them, none dropped: how a module that queues operations learns their results. The stream buffers
    /// without bound — its producer is the queue itself, bounded by its own limits — and ends with the dispatcher
    /// or when the consumer stops.
    public func changes() -> AsyncStream<EndpointOperation> {
        let (stream, continuation) = AsyncStream.makeStream(of: EndpointOperation.self, bufferingPolicy: .unbounded)
        let index = changeObservers.withLock { observers in
            observers.append(continuation)
            return observers.count - 1
        }
        continuation.onTermination = { [weak self] _ in
            self?.changeObservers.withLock { observers in
                if observers.indices.contains(index) { observers[index].finish() }
            }
        }
        return stream
    }

    // MARK: - Service

    /// Recovers what a previous run left in flight, then sends operations as devices become reachable until
    /// graceful shutdown; operations in flight then finish (each within `requestTimeout`).
    public func run() async throws {
        try await recover()
        for name in try await store.endpointsWithDueOperations(at: clock()) { pumpContinuation.yield(name) }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { [self] in
                    for await event in registrationEvents { handle(event) }
                }
                group.addTask { [self] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: configuration.sweepInterval)
                        guard !Task.isCancelled else { return }
                        await sweep()
                    }
                }
                // Pumps run in their own group: when the requests end (shutdown), sends in flight complete
                // before the event and sweep tasks are cancelled.
                await withDiscardingTaskGroup { pumps in
                    for await endpoint in pumpRequests {
                        pumps.addTask { [self] in await pump(endpoint) }
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: { [self] in
            state.withLock { $0.stopping = true }
            pumpContinuation.finish()
        }
        for observer in changeObservers.withLock({ $0 }) { observer.finish() }
    }

    // MARK: - Dispatching

    /// Sends `endpoint`'s due operations one after another while it is reachable and a slot is free.
    private func pump(_ endpoint: String) async {
        while reserveSlot(for: endpoint) {
            let claim: (claimed: OperationChange?, finished: [OperationChange])
            do {
                claim = try await store.claimNextOperation(
                    endpoint: endpoint, at: clock(), retryPolicy: configuration.retryPolicy)
            } catch {
                logger.error("cannot claim the next operation", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
                releaseSlot(for: endpoint)
                return
            }
            claim.finished.forEach(publish)
            guard let change = claim.claimed else {
                releaseSlot(for: endpoint)
                return
            }
            publish(change)
            await send(change.operation)
            releaseSlot(for: endpoint)
        }
    }

    /// Takes an in-flight slot for `endpoint` when it is reachable and both limits allow.
    private func reserveSlot(for endpoint: String) -> Bool {
        let now = clock()
        return state.withLock { state in
            guard !state.stopping, var entry = state.endpoints[endpoint], !entry.awaitingContact else { return false }
            if entry.queueMode, !(entry.awakeUntil.map { $0 > now } ?? false) { return false }
            guard entry.inFlight < configuration.perEndpointLimit else { return false }
            guard state.globalInFlight < configuration.globalLimit else {
                state.starved.insert(endpoint)
                return false
            }
            entry.inFlight += 1
            state.endpoints[endpoint] = entry
            state.globalInFlight += 1
            Gauge(label: "lwm2m_operations_in_flight").record(state.globalInFlight)
            return true
        }
    }

    private func releaseSlot(for endpoint: String) {
        let next = state.withLock { state -> String? in
            state.globalInFlight -= 1
            Gauge(label: "lwm2m_operations_in_flight").record(state.globalInFlight)
            if var entry = state.endpoints[endpoint] {
                entry.inFlight = max(0, entry.inFlight - 1)
                state.endpoints[endpoint] = entry
            }
            return state.starved.popFirst()
        }
        if let next { pumpContinuation.yield(next) }
    }

    /// One attempt: sends the operation, stores and publishes the outcome.
    private func send(_ operation: EndpointOperation) async {
        let outcome: Result<OperationResult, DeviceRequestError>
        do {
            outcome = .success(try await perform(operation.request, endpoint: operation.endpoint))
        } catch {
            outcome = .failure(error)
        }
        let now = clock()
        let unit = Double.random(in: 0...1)
        let result: OperationResult?
        let event: @Sendable (inout OperationStateMachine) -> OperationStateMachine.Action
        switch outcome {
        case .success(let answer):
            result = answer
            event = { $0.succeeded(now: now, note: "device answered \(answer.code)") }
            deviceActive(operation.endpoint)
        case .failure(let error):
            switch error.kind {
            case .deviceError:
                result = error.coapCode.map { OperationResult(code: $0.description) }
                event = { $0.failed(now: now, error: error.description) }
                deviceActive(operation.endpoint)
            case .invalidRequest, .invalidResponse, .unknownEndpoint, .limitExceeded:
                result = nil
                event = { $0.failed(now: now, error: error.description) }
            case .offline:
                result = nil
                event = { $0.transientFailure(now: now, error: error.description, requestMayHaveArrived: false, unit: unit) }
            case .timeout, .unreachable:
                result = nil
                event = { $0.transientFailure(now: now, error: error.description, requestMayHaveArrived: true, unit: unit) }
                fellAsleep(operation.endpoint, at: now)
            }
        }
        do {
            if let change = try await store.transitionOperation(
                id: operation.id, at: now, retryPolicy: configuration.retryPolicy, result: result, event)
            {
                publish(change)
            }
        } catch {
            logger.error("cannot store an operation's outcome", metadata: [
                "operation": "\(operation.id)", "endpoint": "\(operation.endpoint)", "error": "\(error)",
            ])
        }
    }

    /// Carries out `request` on `endpoint`.
    private func perform(_ request: OperationRequest, endpoint: String) async throws(DeviceRequestError)
        -> OperationResult
    {
        switch request {
        case .device(let request):
            return OperationResult(try await deviceManagement.send(
                request, to: endpoint, format: nil, timeout: configuration.requestTimeout))
        case .observe(let paths, let attributes, let composite):
            guard let observations else { throw DeviceRequestError(.invalidRequest, "observations are not available") }
            let made = try await observations.observe(
                endpoint: endpoint, paths: paths, composite: composite, attributes: attributes, format: nil,
                timeout: configuration.requestTimeout)
            return OperationResult(code: "2.05", observationIDs: made.map(\.id))
        case .cancelObserve(let paths):
            guard let observations else { throw DeviceRequestError(.invalidRequest, "observations are not available") }
            let cancelled = try await observations.cancelObservations(
                endpoint: endpoint, paths: paths, timeout: configuration.requestTimeout)
            return OperationResult(code: "2.05", observationIDs: cancelled.map(\.id))
        case .blockWrite(let write):
            guard let source = blockSources.withLock({ $0[write.scheme] }) else {
                throw DeviceRequestError(.invalidRequest, "no source of block-wise writes for '\(write.scheme)'")
            }
            let key = "\(endpoint) \(write.path)"
            let writer = BlockWriter(
                devices: deviceManagement, timeout: configuration.requestTimeout, delay: configuration.blockDelay)
            let startSize = blockSizes.withLock { $0[key] } ?? write.blockSize
            let outcome = try await writer.write(write, from: source, to: endpoint, startSize: startSize)
            blockSizes.withLock { $0[key] = outcome.complete ? nil : outcome.blockSize }
            if outcome.blockSize < write.blockSize {
                logger.debug("block-wise write with smaller blocks", metadata: [
                    "endpoint": "\(endpoint)", "path": "\(write.path)", "blockSize": "\(outcome.blockSize)",
                ])
            }
            return OperationResult(code: outcome.code.description)
        }
    }

    /// Makes `source` give the bytes of `block-write` operations whose source starts with `scheme:`.
    public func register(_ source: any BlockWriteSource, scheme: String) {
        blockSources.withLock { $0[scheme] = source }
    }

    /// A request to `endpoint` went unanswered (timeout, unreachable): a queue-mode device has gone back to sleep.
    public func deviceUnresponsive(_ endpoint: String) {
        fellAsleep(endpoint, at: clock())
    }

    /// A queue-mode device did not answer: it has gone back to sleep.
    private func fellAsleep(_ endpoint: String, at now: Date) {
        let wasAwake = state.withLock { state -> Bool in
            guard var entry = state.endpoints[endpoint], entry.queueMode, entry.awakeUntil != nil else { return false }
            entry.awakeUntil = nil
            state.endpoints[endpoint] = entry
            return true
        }
        if wasAwake { hub?.publishPresence(endpoint: endpoint, awake: false, at: now) }
    }

    /// Expires operations past their deadline, puts queue-mode devices whose window closed to sleep, and pumps
    /// the reachable endpoints with due operations (retries after back-off, `notBefore` reached).
    private func sweep() async {
        let now = clock()
        do {
            for id in try await store.operationsPastDeadline(at: now) {
                if let change = try await store.transitionOperation(
                    id: id, at: now, retryPolicy: configuration.retryPolicy, result: nil, { $0.tick(now: now) }),
                   !change.transitions.isEmpty
                {
                    publish(change)
                }
            }
        } catch {
            logger.error("cannot expire operations", metadata: ["error": "\(error)"])
        }
        let asleep = state.withLock { state -> [String] in
            var names: [String] = []
            for (name, entry) in state.endpoints where entry.queueMode && entry.inFlight == 0 {
                if let until = entry.awakeUntil, until <= now {
                    state.endpoints[name]?.awakeUntil = nil
                    names.append(name)
                }
            }
            return names
        }
        for name in asleep { hub?.publishPresence(endpoint: name, awake: false, at: now) }
        await pruneIfDue(at: now)
        do {
            for name in try await store.endpointsWithDueOperations(at: now) where presence(of: name) != .sleeping {
                pumpContinuation.yield(name)
            }
        } catch is CancellationError {
            return  // the server is shutting down (GRDB read cancelled with the tick): nothing is wrong
        } catch {
            logger.error("cannot look for due operations", metadata: ["error": "\(error)"])
        }
    }

    /// Deletes finished operations older than the retention, at most once an hour.
    private func pruneIfDue(at now: Date) async {
        guard let retention = configuration.retention else { return }
        let due = state.withLock { state -> Bool in
            guard state.lastPrune.map({ now.timeIntervalSince($0) >= 3600 }) ?? true else { return false }
            state.lastPrune = now
            return true
        }
        guard due else { return }
        do {
            let pruned = try await store.pruneOperations(finishedBefore: now.addingTimeInterval(-retention))
            if pruned > 0 {
                logger.info("pruned finished operations", metadata: ["count": "\(pruned)", "retentionSeconds": "\(Int(retention))"])
            }
        } catch {
            logger.error("cannot prune finished operations", metadata: ["error": "\(error)"])
        }
    }

    /// Restart recovery for every operation left `sending`.
    private func recover() async throws {
        let now = clock()
        for id in try await store.operationIDs(status: .sending) {
            if let change = try await store.transitionOperation(
                id: id, at: now, retryPolicy: configuration.retryPolicy, result: nil, { $0.recoverAfterRestart(now: now) })
            {
                logger.notice("recovered an operation left in flight", metadata: [
                    "operation": "\(id)", "endpoint": "\(change.operation.endpoint)",
                    "status": "\(change.operation.status.rawValue)",
                ])
                publish(change)
            }
        }
    }

    // MARK: - Events

    private func publish(_ change: OperationChange) {
        guard !change.transitions.isEmpty else { return }
        publish(change.operation, note: change.transitions.last?.note)
    }

    private func publish(_ operation: EndpointOperation, note: String?) {
        for observer in changeObservers.withLock({ $0 }) { observer.yield(operation) }
        Counter(label: "lwm2m_operation_transitions_total", dimensions: [("status", operation.status.rawValue)])
            .increment()
        hub?.publish(LiveEvent(name: .operation, endpoint: operation.endpoint, time: operation.updatedAt,
                               payload: .operation(operation, note: note)))
        logger.debug("operation", metadata: [
            "operation": "\(operation.id)", "endpoint": "\(operation.endpoint)", "kind": "\(operation.kind.rawValue)",
            "status": "\(operation.status.rawValue)", "note": "\(note ?? "")",
        ])
    }
}
