import CoAP
import Foundation
import Logging
import LwM2M

extension SimulatedDevice {
    /// The resources a Send carries (LwM2M 1.1 Core §6.4.6): the temperature and humidity sensor values.
    static let sentPaths = [SensorDrift.path(3303, 0, 5700), SensorDrift.path(3304, 0, 5700)]

    /// The notifications due at `now` (LwM2M 1.1 Core §6.4.2), with the sensor values brought to `now` first;
    /// cheap when nobody observes the device.
    ///
    /// A notification of an observation whose first answer is still held (`--response-delay-ms`) is left out: the
    /// held answer carries the values, and the server must not hear of the observation before it.
    func dueNotifications(now: Date, maximumInterval: TimeInterval?) -> [ClientNotification] {
        let (clockOffset, held) = state.withLock { ($0.clockOffset, $0.heldObserveTokens) }
        let due = tree.withLock { tree in
            guard !tree.observations.isEmpty else { return [ClientNotification]() }
            drift.refresh(&tree, at: now, clockOffset: clockOffset)
            return tree.dueNotifications(now: now, maximumInterval: maximumInterval)
        }
        return held.isEmpty ? due : due.filter { !held.contains($0.token) }
    }

    /// The CoAP message for a due notification.
    func outgoing(_ notification: ClientNotification, options: ReportingOptions) -> CoAPOutgoingNotification {
        CoAPOutgoingNotification(
            response: notification.response, token: notification.token, session: notification.session,
            confirmable: options.isConfirmable(count: notification.count))
    }

    /// Counts and logs a notification the ticker handed to the CoAP endpoint (`sent` false: it could not be).
    func delivered(_ notification: ClientNotification, sent: Bool, sentAt: Date) {
        guard sent else {
            stats.withLock { $0.notificationFailures += 1 }
            logger.debug("notification not sent", metadata: ["endpoint": "\(name)"])
            return
        }
        stats.withLock { $0.notifications += 1 }
        transmitted(at: sentAt)
        logger.trace("notified", metadata: [
            "endpoint": "\(name)", "paths": "\(notification.paths)", "code": "\(notification.response.code)",
            "observe": "\(notification.response.observe.map(String.init) ?? "-")",
        ])
        reportLog?.append(endpoint: name, kind: .notification, values: notification.values, sentAt: sentAt)
    }

    /// Forgets the observation whose notification the server reset or never acknowledged (RFC 7641 §3.6, §4.5).
    func observationReset(session: CoAPSessionID, token: [UInt8]) {
        let removed = tree.withLock { $0.cancelObservation(session: session, token: token) }
        if removed { logger.debug("observation reset by the server", metadata: ["endpoint": "\(name)"]) }
    }

    /// Whether a Send is due at `now` (every `interval` seconds while registered; the first one `interval` after
    /// the first tick of a registration); advances the schedule when it is.
    func sendIsDue(now: Date, interval: TimeInterval) -> Bool {
        guard sendFormat != nil else { return false }
        return state.withLock { state in
            guard state.location != nil else {
                state.nextSend = nil
                return false
            }
            guard let next = state.nextSend else {
                state.nextSend = now.addingTimeInterval(interval)
                return false
            }
            guard now >= next else { return false }
            let following = next.addingTimeInterval(interval)
            state.nextSend = following > now ? following : now.addingTimeInterval(interval)
            return true
        }
    }

    /// Sends the sensor values with their measurement time (LwM2M 1.1 Core §6.4.6: `POST /dp`), and logs them once
    /// the server accepted them (2.xx).
    func sendMeasurements(now: Date) async {
        guard let format = sendFormat, let session = state.withLock({ $0.session }) else { return }
        let clockOffset = state.withLock { $0.clockOffset }
        let send: ClientSend
        do {
            send = try tree.withLock { tree throws(LwM2MCodecError) in
                drift.refresh(&tree, at: now, clockOffset: clockOffset)
                let paths = Self.sentPaths.filter { tree.value(at: $0) != nil }
                return try tree.send(paths, format: format, measuredAt: drift.sampleTime(at: now))
            }
        } catch {
            logger.debug("nothing to send", metadata: ["endpoint": "\(name)", "error": "\(error)"])
            return
        }
        guard !send.values.isEmpty else { return }
        let response: CoAPResponse
        do {
            response = try await exchange(send.request, on: session)
        } catch {
            stats.withLock { $0.sendFailures += 1 }
            logger.debug("send failed", metadata: ["endpoint": "\(name)", "error": "\(error)"])
            return
        }
        guard response.code.isSuccess else {
            stats.withLock { $0.sendFailures += 1 }
            let first = state.withLock { state in
                defer { state.sendRefusalLogged = true }
                return !state.sendRefusalLogged
            }
            if first {
                logger.warning("send refused", metadata: [
                    "endpoint": "\(name)", "code": "\(response.code)", "diagnostic": "\(response.payloadText)",
                ])
            }
            return
        }
        stats.withLock { $0.sends += 1 }
        logger.debug("sent", metadata: ["endpoint": "\(name)", "values": "\(send.values.count)", "code": "\(response.code)"])
        reportLog?.append(endpoint: name, kind: .send, values: send.values, sentAt: now)
    }
}
