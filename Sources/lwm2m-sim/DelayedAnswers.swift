import CoAP
import Foundation
import LwM2M
import Synchronization

/// `--response-delay-ms`: answers the devices hold back, sent when their delay is over.
///
/// The CoAP module answers a request with what its handler returns, on the I/O thread, and has no deferred
/// answer. So a device that delays answers its request with an empty response — libcoap sends an empty ACK for a
/// confirmable request and nothing for a non-confirmable one — and this queue later sends the real answer as a
/// separate response (RFC 7252 §5.2.2): a message of the request's type carrying its token, sent like a
/// notification with `CoAPEndpoint.sendNotifications`, which the server matches to its pending request by token.
final class DelayedAnswers: Sendable {
    /// One held answer.
    struct Entry: Sendable {
        /// When it is due.
        var due: ContinuousClock.Instant
        /// The device that holds it.
        var device: SimulatedDevice
        /// The separate response: the answer with the request's token, on its session.
        var message: CoAPOutgoingNotification
        /// The values an answer to an Observe reports (its first notification, for `--report-log`).
        var observed: [ClientReportedValue]
        /// What the request changed that the device acts on once it has answered (e.g. an Update).
        var event: ClientTreeEvent?
        /// When the device handled the request.
        var handledAt: Date
    }

    let delay: Duration
    private let entries = Mutex<[Entry]>([])
    private let wake = WakeSignal()

    init(delay: Duration) {
        self.delay = delay
    }

    /// Queues an answer, due `delay` from now (entries stay in due order: the delay is the same for all).
    func hold(
        _ message: CoAPOutgoingNotification, observed: [ClientReportedValue], event: ClientTreeEvent?,
        handledAt: Date, device: SimulatedDevice
    ) {
        let entry = Entry(
            due: .now.advanced(by: delay), device: device, message: message, observed: observed, event: event,
            handledAt: handledAt)
        entries.withLock { $0.append(entry) }
        wake.signal()
    }

    /// Sends the answers as they fall due, in one hand-over to the I/O thread per batch, until cancelled.
    func run(coap: CoAPEndpoint) async {
        while !Task.isCancelled {
            let now = ContinuousClock.now
            let (due, next) = entries.withLock { entries -> ([Entry], ContinuousClock.Instant?) in
                let count = entries.prefix { $0.due <= now }.count
                let due = Array(entries.prefix(count))
                entries.removeFirst(count)
                return (due, entries.first?.due)
            }
            if !due.isEmpty {
                let sent = await coap.sendNotifications(due.map(\.message))
                for (entry, wasSent) in zip(due, sent) {
                    entry.device.answerSent(entry, sent: wasSent, at: Date())
                }
                continue
            }
            await withTaskGroup(of: Void.self) { group in
                if let next { group.addTask { try? await Task.sleep(until: next, clock: .continuous) } }
                group.addTask { await self.wake.next() }
                await group.next()
                group.cancelAll()
            }
        }
    }
}
