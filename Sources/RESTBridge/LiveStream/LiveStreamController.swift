import Foundation
import Hummingbird
import HummingbirdWebSocket
import LwM2M
import Logging
import Metrics
import ResourceModel
import ServiceLifecycle

/// The live event stream: `GET /api/v1/stream` as server-sent events and `GET /api/v1/ws` as a WebSocket
/// (text messages), both optionally filtered with `?endpoint=`.
///
/// Each connection subscribes to the `LiveEventHub` for events with their JSON text (made once per event by
/// `LiveEventDTO.text`, the hub's encoder, however many clients listen); one that cannot keep up is disconnected by the hub
/// (its SSE body ends / its WebSocket closes). SSE sends a `: keep-alive` comment every `keepAlive` so idle
/// connections notice a vanished client. Both end on graceful shutdown.
struct LiveStreamController {
    /// The hub (made with `LiveEventHub.forLiveStream`); `nil`, or one without an encoder, answers 503.
    let hub: LiveEventHub?
    /// The interval of SSE keep-alive comments.
    let keepAlive: Duration
    /// The most clients at once (SSE and WebSocket); one more is refused (503, or close code 4503).
    var maxClients: Int = 256

    /// Why one more client may not connect, or `nil` (a log line and a metric when it may not).
    func clientLimitRefusal(_ hub: LiveEventHub, logger: Logger) -> Problem? {
        guard hub.subscriberCount >= maxClients else { return nil }
        Counter(label: "lwm2m_limit_refusals_total", dimensions: [("limit", "stream-clients")]).increment()
        logger.warning("live-stream client refused: limit", metadata: ["clients": "\(hub.subscriberCount)", "limit": "\(maxClients)"])
        return Problem(
            type: Problem.typeBase + "too-many-stream-clients", title: "Too many live-stream clients",
            status: .serviceUnavailable,
            detail: "The live stream has its maximum of \(maxClients) clients (--max-stream-clients); retry later.",
            headers: [.retryAfter: "10"])
    }

    /// The SSE route.
    static let streamPath = "/api/v1/stream"
    /// The WebSocket route.
    static let webSocketPath = "/api/v1/ws"

    /// Registers the SSE route, and a 426 answer for plain requests to the WebSocket route, on `router`.
    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        router.get(RouterPath(Self.streamPath), use: stream)
        // Reached by plain GETs (a bad `events` list: 400, else 426).
        router.get(RouterPath(Self.webSocketPath)) { request, _ -> Response in
            _ = try Self.eventNames(request.uri.queryParameters["events"].map(String.init))
            throw Problem.upgradeRequired
        }
        router.rejectOtherMethods(RouterPath(Self.streamPath), allowed: [.get, .head])
        router.rejectOtherMethods(RouterPath(Self.webSocketPath), allowed: [.get])
    }

    /// Registers the WebSocket upgrade on the upgrade router (behind `WebSocketAuthMiddleware`). A connection that
    /// may not have the stream (no or a bad token, a role below reader, a bad `events` list, the client limit) is
    /// upgraded and closed at once with close code 4000 + the HTTP status it would have had (4401, 4403, 4400,
    /// 4503) and the
    /// problem's detail as reason (see `WebSocketAuthMiddleware` for why not an HTTP status).
    func addWebSocketRoute(to router: Router<APIWebSocketRequestContext>) {
        guard let hub, hub.encodesText else { return }
        router.ws(RouterPath(Self.webSocketPath), shouldUpgrade: { request, context in
            .upgrade([:])
        }) { inbound, outbound, context in
            var refusal = context.requestContext.refusal
            if refusal == nil { refusal = clientLimitRefusal(hub, logger: context.logger) }
            if refusal == nil {
                do throws(Problem) {
                    _ = try Self.eventNames(context.request.uri.queryParameters["events"].map(String.init))
                } catch {
                    refusal = error
                }
            }
            if let refusal {
                try await outbound.close(
                    .unknown(4000 + UInt16(refusal.status.code)), reason: Self.closeReason(refusal.detail ?? refusal.title))
                return
            }
            let endpoint = context.request.uri.queryParameters["endpoint"].map { EndpointName.canonical(String($0)) }
            // Checked above.
            let names = (try? Self.eventNames(context.request.uri.queryParameters["events"].map(String.init))) ?? nil
            let events = hub.subscribeEncoded(endpoint: endpoint, names: names)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Reading to the end notices the client's close frame.
                    for try await _ in inbound {}
                }
                group.addTask {
                    try await cancelWhenGracefulShutdown {
                        for await message in events {
                            try await outbound.write(.text(message.text))
                        }
                    }
                }
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }

    /// `text` cut to the 123 bytes a close frame's reason may hold (RFC 6455 §5.5: 125 with the code), on a
    /// character boundary.
    static func closeReason(_ text: String) -> String {
        var reason = ""
        for character in text {
            guard reason.utf8.count + String(character).utf8.count <= 123 else { break }
            reason.append(character)
        }
        return reason
    }

    /// `GET /api/v1/stream[?endpoint=][&events=OPERATION,AWAKE]`: `text/event-stream`, one
    /// `event: NAME\ndata: {json}\n\n` per event; `events` keeps only the named events.
    @Sendable func stream(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard let hub, hub.encodesText else { throw Problem.unavailable("The live event stream") }
        let endpoint = request.uri.queryParameters["endpoint"].map { EndpointName.canonical(String($0)) }
        let names = try Self.eventNames(request.uri.queryParameters["events"].map(String.init))
        if let refusal = clientLimitRefusal(hub, logger: context.logger) { throw refusal }
        let events = hub.subscribeEncoded(endpoint: endpoint, names: names)
        let keepAlive = self.keepAlive
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            // As deep as the hub's own buffer: a burst the hub accepts must not overflow here.
            let (lines, sink) = AsyncStream.makeStream(
                of: String.self, bufferingPolicy: .bufferingOldest(LiveEventHub.defaultBufferSize))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await cancelWhenGracefulShutdown {
                        for await message in events {
                            let frame = "event: \(message.event.name.rawValue)\ndata: \(message.text)\n\n"
                            if case .dropped = sink.yield(frame) { break }
                        }
                    }
                    sink.finish()
                }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: keepAlive)
                        sink.yield(": keep-alive\n\n")
                    }
                }
                try await writer.write(ByteBuffer(string: ": connected\n\n"))
                for await line in lines {
                    try await writer.write(ByteBuffer(string: line))
                }
                group.cancelAll()
            }
            try await writer.finish(nil)
        })
    }

    /// The event names of an `events=` query (`OPERATION,AWAKE`), or `nil` for all; 400 for an unknown name.
    static func eventNames(_ value: String?) throws(Problem) -> Set<LiveEvent.Name>? {
        guard let value, !value.isEmpty else { return nil }
        var names = Set<LiveEvent.Name>()
        for item in value.split(separator: ",") {
            guard let name = LiveEvent.Name(rawValue: item.uppercased()) else {
                throw Problem.invalidQueryParameter(
                    "events", value: value,
                    expected: "a comma-separated list of " + LiveEvent.Name.allCases.map(\.rawValue).joined(separator: ", "))
            }
            names.insert(name)
        }
        return names
    }
}
