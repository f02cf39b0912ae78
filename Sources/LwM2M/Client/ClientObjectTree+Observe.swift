import CoAP
import Foundation

extension ClientObjectTree {
    /// Answers a request like `process(_:now:)`, and keeps the observers (RFC 7641; LwM2M 1.1 Core §6.4):
    ///
    /// - GET with Observe=0 (Observe, §6.4.1) and FETCH `/` with Observe=0 and a SenML path list (Observe-Composite,
    ///   §6.4.3) register the session and token as an observer when the read succeeds; the 2.05 carries Observe.
    ///   A failed read removes any observer with that token (RFC 7641 §4.1).
    /// - GET/FETCH with Observe=1 (Cancel Observation, §6.4.2) remove the observer with that token, or else the
    ///   session's observers of exactly those paths, and answer as a read.
    ///
    /// Discover (Accept 40) and other methods ignore the Observe option.
    public mutating func process(_ request: CoAPRequest, session: CoAPSessionID, token: [UInt8], now: Date)
        -> ClientRequestOutcome
    {
        let observable: Bool
        switch request.method {
        case .get: observable = request.accept != ContentFormat.linkFormat.rawValue
        case .fetch: observable = true
        case .put, .post, .delete, .iPatch, .patch: observable = false
        }
        guard observable, let observe = request.observe, observe <= 1 else { return process(request, now: now) }
        var outcome = process(request, now: now)
        let target = try? observedTarget(of: request)
        guard observe == 0 else {
            if !observations.cancel(session: session, token: token), let target {
                observations.cancel(session: session, paths: target.paths, isComposite: target.isComposite)
            }
            return outcome
        }
        guard outcome.response.code == .content, let target,
            let nodes = try? observedNodes(target.paths, isComposite: target.isComposite)
        else {
            observations.cancel(session: session, token: token)
            return outcome
        }
        let format = outcome.response.contentFormat.map { ContentFormat(rawValue: $0) } ?? defaultFormat
        outcome.response.observe = observations.observe(
            session: session, token: token, paths: target.paths, isComposite: target.isComposite, format: format,
            values: nodes, now: now)
        return outcome
    }

    /// Removes the observer of `session` with `token`, e.g. when it answered a notification with a Reset
    /// (RFC 7641 §3.6); returns whether there was one.
    @discardableResult
    public mutating func cancelObservation(session: CoAPSessionID, token: [UInt8]) -> Bool {
        observations.cancel(session: session, token: token)
    }

    /// Forgets every observer, as a client that registers anew does (LwM2M 1.1 Core §6.2.1: a new registration
    /// starts without observations).
    public mutating func removeAllObservations() {
        observations.removeAll()
    }

    /// The attributes that govern notifications at `path` (LwM2M 1.1 Core §5.1.2): each attribute from the most
    /// specific level that sets it, resource instance → resource → instance → object; empty when none does.
    public func effectiveAttributes(at path: LwM2MPath) -> NotificationAttributes {
        var result = NotificationAttributes()
        for depth in stride(from: 1, through: path.depth, by: 1) {
            guard let written = attributes[LwM2MPath(validated: Array(path.ids.prefix(depth)))] else { continue }
            result.pmin = written.pmin ?? result.pmin
            result.pmax = written.pmax ?? result.pmax
            result.gt = written.gt ?? result.gt
            result.lt = written.lt ?? result.lt
            result.st = written.st ?? result.st
            result.epmin = written.epmin ?? result.epmin
            result.epmax = written.epmax ?? result.epmax
        }
        return result
    }

    /// The notifications due at `now` (LwM2M 1.1 Core §6.4.2, rules in `ClientNotificationRule`), each recorded as
    /// sent: its Observe value follows the last one, the values become the last notified ones.
    ///
    /// Changes are looked at no more often than the largest `epmin` of the observed paths. An observation whose path
    /// is gone gets a final 4.04 (RFC 7641 §4.2) and is removed. `maximumInterval` (seconds) makes every observer
    /// hear at least that often, as a `pmax` would.
    public mutating func dueNotifications(now: Date, maximumInterval: TimeInterval? = nil) -> [ClientNotification] {
        var notifications: [ClientNotification] = []
        var index = 0
        while index < observations.all.count {
            let observation = observations.all[index]
            let nodes: [LwM2MPath: LwM2MNode]
            do throws(ClientRequestFailure) {
                nodes = try observedNodes(observation.paths, isComposite: observation.isComposite)
            } catch {
                notifications.append(finalNotification(observation, error))
                observations.remove(at: index)
                continue
            }
            let paths = Set(nodes.keys).union(observation.lastValues.keys)
            let epmin = paths.compactMap { effectiveAttributes(at: $0).epmin }.max()
            let evaluate = ClientNotificationRule.mayEvaluate(
                epmin: epmin, lastEvaluated: observation.lastEvaluated, now: now)
            if evaluate { observations.recordEvaluation(at: index, now: now) }
            let due = paths.contains { path in
                ClientNotificationRule.isDue(
                    attributes: effectiveAttributes(at: path), last: observation.lastValues[path], current: nodes[path],
                    lastNotified: observation.lastNotified, now: now, maximumInterval: maximumInterval,
                    evaluate: evaluate)
            }
            guard due else {
                index += 1
                continue
            }
            let payload: [UInt8]
            do throws(LwM2MCodecError) {
                payload = try encodeObserved(nodes, of: observation)
            } catch {
                notifications.append(finalNotification(observation, .encoding(error, format: observation.format)))
                observations.remove(at: index)
                continue
            }
            let sent = observations.recordNotification(at: index, values: nodes, now: now)
            notifications.append(ClientNotification(
                session: sent.session, token: sent.token,
                response: CoAPResponse(
                    code: .content, contentFormat: sent.format.rawValue, payload: payload, observe: sent.sequence),
                count: sent.notificationCount, paths: sent.paths,
                values: ClientReportedValue.leaves(of: nodes, time: nil)))
            index += 1
        }
        return notifications
    }

    /// The nodes an Observe or Observe-Composite reports, by path (`/` in a composite list stands for every object
    /// a server may see, as in Read-Composite, LwM2M 1.1 Core §6.3.8); throws as Read does.
    func observedNodes(_ paths: [LwM2MPath], isComposite: Bool) throws(ClientRequestFailure)
        -> [LwM2MPath: LwM2MNode]
    {
        guard isComposite else {
            var nodes: [LwM2MPath: LwM2MNode] = [:]
            for path in paths { nodes[path] = try readableNode(at: path) }
            return nodes
        }
        var nodes: [LwM2MPath: LwM2MNode] = [:]
        for path in paths {
            if path.isRoot {
                for objectID in objectIDs where !Self.bootstrapOnlyObjects.contains(objectID) {
                    let objectPath = LwM2MPath(objectID: objectID)
                    nodes[objectPath] = try readableNode(at: objectPath)
                }
                continue
            }
            if Self.bootstrapOnlyObjects.contains(path.ids[0]) { throw .unauthorized(path) }
            nodes[path] = try readableNode(at: path)
        }
        return nodes
    }

    /// The paths an observing request names: its own path, or the SenML path list of a FETCH.
    private func observedTarget(of request: CoAPRequest) throws(ClientRequestFailure)
        -> (paths: [LwM2MPath], isComposite: Bool)
    {
        switch request.method {
        case .fetch:
            let format = try compositeFormat(of: request)
            do throws(LwM2MCodecError) {
                return (try SenMLPathList.decode(request.payload, format: format), true)
            } catch {
                throw .badRequest("path list: \(error.description)")
            }
        case .get, .put, .post, .delete, .iPatch, .patch:
            return ([try Self.path(of: request.uriPath)], false)
        }
    }

    /// The payload of a notification in the observation's format.
    private func encodeObserved(_ nodes: [LwM2MPath: LwM2MNode], of observation: ClientObservation)
        throws(LwM2MCodecError) -> [UInt8]
    {
        if !observation.isComposite, let path = observation.paths.first, let node = nodes[path] {
            return try codecs.encode(node, at: path, format: observation.format, model: model)
        }
        return try codecs.encodeNodes(nodes, format: observation.format, model: model)
    }

    /// The last notification of an observation that failed: the failure's code and diagnostic, no Observe option.
    private func finalNotification(_ observation: ClientObservation, _ failure: ClientRequestFailure)
        -> ClientNotification
    {
        ClientNotification(
            session: observation.session, token: observation.token, response: .error(failure.code, failure.message),
            count: observation.notificationCount + 1, paths: observation.paths, values: [])
    }
}
