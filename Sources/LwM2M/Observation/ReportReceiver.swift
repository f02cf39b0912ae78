import CoAP
import Foundation
import Logging
import Synchronization

/// Receives what clients report on their own: notifications (matched by token, LwM2M 1.1 Core §6.4.2) and
/// Send (`POST /dp`, §6.4.6), decodes them with the object model and hands `DeviceReport`s to the sink.
///
/// Both entry points run on the CoAP I/O thread: they decode (small payloads) and call the sink, which must
/// not block (the ingest queue); storage happens elsewhere.
final class ReportReceiver: Sendable {
    /// Where reports go; returns `false` when the consumer cannot take more (back-pressure).
    typealias Sink = @Sendable (DeviceReport) -> Bool

    /// The live registrations and their observations (one lock, shared with the registration registry).
    let clients = LiveClientsLock()
    /// Immutable on purpose: a closure kept in a `Mutex` and read through `withLock`'s `inout` is written back
    /// wrapped in two more reabstraction thunks on every access, until the call overflows the stack.
    private let sink: Sink?
    private let sinkIsFull: (@Sendable () -> Bool)?
    private let codecs: LwM2MCodecRegistry
    private let model: ObjectModelRegistry
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let counters = Mutex(Counters())

    /// What was received, for logs and tests.
    struct Counters: Sendable, Equatable {
        var notifications = 0
        var sends = 0
        var undecodable = 0
        var rejectedByConsumer = 0
        var unknownTokens = 0
        /// Notifications carrying an observation's token from someone other than its client (refused).
        var foreignSenders = 0
        /// Rejections not yet logged, and when the last line was written.
        var rejectedSinceLog = 0
        var lastRejectionLog: ContinuousClock.Instant?
    }

    init(
        model: ObjectModelRegistry, logger: Logger, clock: @escaping @Sendable () -> Date, sink: Sink?,
        sinkIsFull: (@Sendable () -> Bool)? = nil
    ) {
        self.sinkIsFull = sinkIsFull
        self.model = model
        self.codecs = .standard
        self.logger = logger
        self.clock = clock
        self.sink = sink
    }

    var statistics: Counters { counters.withLock { $0 } }

    /// Why a notification may not count for an observation (`nil`: it may), judged against the live
    /// registrations; the registry decides who sent it.
    typealias SenderCheck = (Observation, CoAPUnsolicitedResponse, LiveClients) -> String?

    /// What a notification found, under the one lock: the observation, or why it is refused.
    private enum Match: Sendable {
        case unknownToken
        case refused(Observation, String)
        case observation(Observation, wasStale: Bool)
    }

    /// A response that matched no pending request: a notification if its token is an observation's and
    /// `senderCheck` accepts its sender. Anything else is answered with a Reset (RFC 7641 §3.6) and not stored.
    /// Finding the observation, checking the sender against its registration and noting the notification happen
    /// in one step, so a registration that just ended cannot have a notification stored.
    func handleUnsolicited(_ notification: CoAPUnsolicitedResponse, senderCheck: SenderCheck? = nil) -> Bool {
        let receivedAt = clock()
        let match = clients.withLock { clients -> Match in
            guard let observation = clients.observations.observation(token: notification.token) else {
                return .unknownToken
            }
            if let refusal = senderCheck?(observation, notification, clients) { return .refused(observation, refusal) }
            guard notification.response.code.isSuccess else { return .observation(observation, wasStale: false) }
            let wasStale = clients.observations.noteNotification(token: notification.token, at: receivedAt)
            return .observation(observation, wasStale: wasStale)
        }
        let observation: Observation
        switch match {
        case .unknownToken:
            counters.withLock { $0.unknownTokens += 1 }
            return false  // Reset: RFC 7641 §3.6
        case .refused(let refusedObservation, let refusal):
            counters.withLock { $0.foreignSenders += 1 }
            ServerMetrics.notificationRefused(reason: "sender")
            logger.warning("notification refused: not from the observed client", metadata: [
                "endpoint": "\(refusedObservation.endpoint)", "observation": "\(refusedObservation.id)",
                "peer": "\(notification.peerAddress)", "transport": "\(notification.isSecure ? "dtls" : "udp")",
                "reason": "\(refusal)",
            ])
            return false  // Reset; the observation stays for its real client
        case .observation(let found, let wasStale):
            observation = found
            if wasStale {
                logger.info("a stale observation notifies again", metadata: [
                    "endpoint": "\(observation.endpoint)", "observation": "\(observation.id)",
                ])
            }
        }
        let response = notification.response
        guard response.code.isSuccess else {
            // An error notification ends the observation on the client side (RFC 7641 §3.2).
            logger.notice("observation ended by the client", metadata: [
                "endpoint": "\(observation.endpoint)", "observation": "\(observation.id)", "code": "\(response.code)",
            ])
            clients.withLock { _ = $0.observations.remove(ids: [observation.id]) }
            return true
        }
        if let sinkIsFull, sinkIsFull() {
            // Would be refused anyway: skip the decoding (the observation stays; the next one may fit).
            rejected(endpoint: observation.endpoint, kind: .notification(observationID: observation.id))
            return true
        }
        let format = response.contentFormat.map { ContentFormat(rawValue: $0).canonical } ?? observation.format
        let values: [ReportedValue]
        do {
            values = try decode(response.payload, format: format, paths: observation.paths, composite: observation.composite)
        } catch {
            counters.withLock { $0.undecodable += 1 }
            logger.warning("undecodable notification dropped", metadata: [
                "endpoint": "\(observation.endpoint)", "observation": "\(observation.id)", "format": "\(format)",
                "error": "\(error)",
            ])
            return true  // keep the observation; the next notification may be fine
        }
        counters.withLock { $0.notifications += 1 }
        deliver(DeviceReport(
            endpoint: observation.endpoint, kind: .notification(observationID: observation.id), receivedAt: receivedAt,
            values: values))
        return true
    }

    /// `POST /dp` from the client registered as `registration` (LwM2M 1.1 Core §6.4.6).
    func handleSend(_ request: CoAPRequest, registration: Registration) -> CoAPResponse {
        guard let raw = request.contentFormat else {
            return .error(.badRequest, "Send needs a Content-Format (SenML JSON or SenML CBOR)")
        }
        let format = ContentFormat(rawValue: raw).canonical
        guard format == .senmlJSON || format == .senmlCBOR || format == .lwm2mJSON else {
            return .error(.unsupportedContentFormat, "Send payloads are SenML JSON or SenML CBOR, not \(format)")
        }
        let values: [ReportedValue]
        do {
            values = try codecs.decodeValues(request.payload, format: format, model: model)
        } catch {
            counters.withLock { $0.undecodable += 1 }
            logger.warning("undecodable Send refused", metadata: [
                "endpoint": "\(registration.endpoint)", "format": "\(format)", "error": "\(error)",
            ])
            return .error(.badRequest, "cannot decode the \(format) payload: \(error)")
        }
        guard !values.isEmpty else { return .error(.badRequest, "Send carried no values") }
        counters.withLock { $0.sends += 1 }
        let accepted = deliver(DeviceReport(endpoint: registration.endpoint, kind: .send, receivedAt: clock(), values: values))
        return accepted ? CoAPResponse(code: .changed) : .error(.serviceUnavailable, "server busy, send again later")
    }

    /// Decodes a notification payload into values, once: the multi-value formats straight from their records
    /// (SenML and LwM2M JSON may carry times even in a plain notification), the others through the node at the
    /// observed path.
    func decode(_ payload: [UInt8], format: ContentFormat, paths: [LwM2MPath], composite: Bool) throws -> [ReportedValue] {
        if composite || codecs.codec(for: format) is any LwM2MMultiNodeCodec {
            return try codecs.decodeValues(payload, format: format, model: model)
        }
        guard let path = paths.first else { return [] }
        let node = try codecs.decode(payload, format: format, path: path, model: model)
        return node.leaves(at: path).map { ReportedValue(path: $0.path, value: $0.value) }
    }

    @discardableResult
    private func deliver(_ report: DeviceReport) -> Bool {
        guard let sink else { return true }
        let accepted = sink(report)
        if accepted {
            ServerMetrics.report(report.kind, accepted: true)
            return true
        }
        rejected(endpoint: report.endpoint, kind: report.kind)
        return false
    }

    /// Counts and (once a second at most) logs a report the sink cannot take.
    private func rejected(endpoint: String, kind: DeviceReport.Kind) {
        ServerMetrics.report(kind, accepted: false)
        // One line a second at most: under overload a line per report would cost the I/O thread more than the
        // reports themselves.
        let now = ContinuousClock.now
        let unlogged = counters.withLock { counters -> Int? in
            counters.rejectedByConsumer += 1
            counters.rejectedSinceLog += 1
            if let last = counters.lastRejectionLog, now - last < .seconds(1) { return nil }
            counters.lastRejectionLog = now
            defer { counters.rejectedSinceLog = 0 }
            return counters.rejectedSinceLog
        }
        if let unlogged {
            logger.warning("reports dropped: ingest queue full", metadata: [
                "endpoint": "\(endpoint)", "dropped": "\(unlogged)", "since": "the last such line (1 s at most)",
            ])
        }
    }
}
