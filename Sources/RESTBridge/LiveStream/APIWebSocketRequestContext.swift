import Hummingbird
import HummingbirdAuth
import HummingbirdWebSocket

/// The context of the WebSocket upgrade router: a WebSocket context that carries the identity, and the problem
/// that refused the connection, if one did (see `WebSocketAuthMiddleware`).
struct APIWebSocketRequestContext: WebSocketRequestContext, AuthRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    var identity: APIIdentity?
    /// Why the connection may not have the stream (401, 403, 400); it is upgraded and closed with a close code
    /// of 4000 + the status and the problem's detail as reason.
    var refusal: Problem?

    init(source: Source) {
        coreContext = .init(source: source)
        webSocket = .init()
        identity = nil
        refusal = nil
    }
}

/// Authenticates and authorizes a WebSocket upgrade with the same hummingbird-auth authenticator and role policy
/// as every other route, but records a refusal in the context instead of throwing it. hummingbird-websocket
/// 2.8.1 answers every declined upgrade with a bare `400` (`HTTP1WebSocketUpgradeChannel.writeFailedUpgrade`), so
/// a 401 or 403 cannot reach the client as an HTTP status; a browser's WebSocket API cannot read a handshake
/// status anyway. The connection is upgraded and at once closed with close code 4401 or 4403 (RFC 6455 §7.4.2:
/// 4000–4999 are for applications) and the problem's detail as reason, which every client can read.
struct WebSocketAuthMiddleware: RouterMiddleware {
    typealias Context = APIWebSocketRequestContext

    let authenticator: APITokenAuthenticator<APIWebSocketRequestContext>
    let policy = APIAccess.Policy()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        do {
            if let identity = try await authenticator.authenticate(request: request, context: context) {
                _ = try await policy.isAuthorized(identity: identity, request: request)
                context.identity = identity
            }
        } catch let problem as Problem {
            problem.logRefusal(request, logger: context.logger)
            context.refusal = problem
        }
        return try await next(request, context)
    }
}
