import CoAP
import Foundation
import Logging
import LwM2M

extension SimulatedDevice {
    /// Answers a request from the server through the object tree, Observe and Cancel Observation included (runs on
    /// the CoAP I/O thread: no waiting).
    ///
    /// In queue mode a request arriving while the receiver is off is dropped before it touches the tree. With
    /// `--response-delay-ms` the answer is held in `DelayedAnswers` and the request gets an empty answer now.
    func handle(_ inbound: CoAPInboundRequest) -> CoAPResponse? {
        let request = inbound.request
        let now = Date()
        let (heard, change) = answering.queueMode
            ? state.withLock { $0.radio?.receive(at: now) } ?? (true, .none) : (true, .none)
        log(change)
        guard heard else {
            stats.withLock { $0.dropped += 1 }
            logger.debug("asleep, request dropped", metadata: [
                "endpoint": "\(name)", "method": "\(request.method)", "path": "\(request.path)",
            ])
            if let requestLog = answering.requestLog {
                let operation = tree.withLock { ServerOperation(request, model: $0.model) }
                requestLog.dropped(endpoint: name, request: request, operation: operation, at: now)
            }
            return nil
        }
        if firmwareIgnores(request) {
            // `--fw-fail timeout`: Object 5 hangs. The request is acknowledged (an empty ACK) and never answered, so
            // the server's request times out while the device's other objects stay reachable (without the ACK the
            // server's libcoap would hold every later request to the device back, NSTART 1, RFC 7252 §4.7).
            logger.debug("firmware fault: request left unanswered", metadata: [
                "endpoint": "\(name)", "method": "\(request.method)", "path": "\(request.path)",
            ])
            return .empty
        }
        let clockOffset = state.withLock { $0.clockOffset }
        let (outcome, observed, operation) = tree.withLock { tree in
            drift.refresh(&tree, at: now, clockOffset: clockOffset)
            let operation = answering.requestLog == nil ? nil : ServerOperation(request, model: tree.model)
            let outcome = firmwareOutcome(request, tree: &tree, now: now)
                ?? tree.process(request, session: inbound.session, token: inbound.token, now: now)
            guard outcome.response.observe != nil else { return (outcome, [ClientReportedValue](), operation) }
            let observation = tree.observations.observation(session: inbound.session, token: inbound.token)
            return (outcome, observation?.lastReportedValues ?? [], operation)
        }
        let observeAnswer = outcome.response.observe != nil
        stats.withLock {
            $0.requests += 1
            if observeAnswer { $0.observeAnswers += 1 }
        }
        if let operation {
            answering.requestLog?.handled(
                endpoint: name, request: request, operation: operation, code: outcome.response.code, at: now)
        }
        logger.debug("answered", metadata: [
            "endpoint": "\(name)", "method": "\(request.method)", "path": "\(request.path)",
            "code": "\(outcome.response.code)", "observe": "\(request.observe.map(String.init) ?? "-")",
        ])
        if let delayedAnswers {
            if outcome.response.payload.count <= AnsweringOptions.largestHeldPayload {
                state.withLock { state in
                    state.radio?.holdAnswer()
                    if outcome.response.observe != nil { state.heldObserveTokens.insert(inbound.token) }
                }
                delayedAnswers.hold(
                    CoAPOutgoingNotification(
                        response: outcome.response, token: inbound.token, session: inbound.session,
                        confirmable: request.confirmable),
                    observed: observed, event: outcome.event, handledAt: now, device: self)
                return .empty
            }
            logger.debug("answer too large to hold, answered at once", metadata: [
                "endpoint": "\(name)", "path": "\(request.path)", "bytes": "\(outcome.response.payload.count)",
            ])
        }
        // The answer to an Observe is its first notification (RFC 7641 §3.2).
        reportLog?.append(endpoint: name, kind: .notification, values: observed, sentAt: now)
        transmitted(at: now)
        if let event = outcome.event { react(to: event, at: now) }
        return outcome.response
    }

    /// A held answer went out (or could not: the session is gone): the awake window restarts, and the device acts
    /// on what the request changed, as it does after an immediate answer.
    func answerSent(_ entry: DelayedAnswers.Entry, sent: Bool, at now: Date) {
        let change = state.withLock { state in
            state.heldObserveTokens.remove(entry.message.token)
            return state.radio?.answered(at: now)
        }
        log(change ?? .none)
        if sent {
            reportLog?.append(endpoint: name, kind: .notification, values: entry.observed, sentAt: now)
        } else {
            logger.debug("held answer not sent", metadata: ["endpoint": "\(name)"])
        }
        if let event = entry.event { react(to: event, at: entry.handledAt) }
    }

    /// Notes a message the device sent (or the end of an exchange it started): in queue mode the awake window
    /// restarts.
    func transmitted(at now: Date) {
        guard answering.queueMode else { return }
        let change = state.withLock { $0.radio?.transmitted(at: now) }
        log(change ?? .none)
    }

    /// Notes whether the awake window closed (the ticker calls it in queue mode, so falling asleep is logged when it
    /// happens).
    func lookAtRadio(at now: Date) {
        guard answering.queueMode else { return }
        let change = state.withLock { $0.radio?.look(at: now) }
        log(change ?? .none)
    }

    /// Logs a change of the queue-mode receiver, at debug level (thousands of devices sleep and wake).
    private func log(_ change: QueueModeRadio.Change) {
        switch change {
        case .none: break
        case .wokeUp: logger.debug("awake", metadata: ["endpoint": "\(name)"])
        case .fellAsleep: logger.debug("asleep", metadata: ["endpoint": "\(name)"])
        }
    }

    /// What the device does after a request changed its tree.
    private func react(to event: ClientTreeEvent, at now: Date) {
        switch event {
        case .instanceCreated, .instanceDeleted:
            state.withLock { $0.linksChanged = true }
            wake.signal()
        case .written(let paths):
            if paths.contains(SensorDrift.path(1, 0, 1)) {
                state.withLock { $0.lifetimeChanged = true }
                wake.signal()
            }
            if paths.contains(SensorDrift.path(3, 0, 13)),
                case .time(let seconds)? = tree.withLock({ $0.value(at: SensorDrift.path(3, 0, 13)) })
            {
                state.withLock { $0.clockOffset = TimeInterval(seconds) - now.timeIntervalSince1970 }
            }
        case .executed(let path, let arguments):
            switch (path.objectID, path.resourceID) {
            case (1, 8):
                wake.signal()
            case (3303, 5605), (3304, 5605):
                tree.withLock { drift.resetMinMax(&$0, objectID: path.ids[0], instanceID: path.ids[1]) }
            default:
                logger.info("executed", metadata: [
                    "endpoint": "\(name)", "path": "\(path)", "arguments": "\(arguments ?? "")",
                ])
            }
        }
    }
}

extension CoAPResponse {
    /// An empty message (code 0.00): libcoap sends an empty ACK for a confirmable request — the first half of a
    /// separate response (RFC 7252 §5.2.2), whose second half `DelayedAnswers` sends — and nothing for a
    /// non-confirmable one.
    static let empty = CoAPResponse(code: CoAPCode(rawValue: 0))

}
