import Foundation
import HTTPTypes
import Hummingbird

/// The router's responder with one addition: a method no route of the API is registered for at all (`QUERY`, a
/// made-up token) on a path that exists is a 405 with `Allow`, as every listed method the path does not support
/// already is (`rejectOtherMethods`), not the router's 404. The allowed methods come from asking the same path
/// with TRACE, which every path rejects with its `Allow` list, so the answer cannot drift from the routes.
struct UnknownMethodResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == APIRequestContext {
    /// The methods routes are registered for (allowed or answered 405 by `rejectOtherMethods`).
    static var registeredMethods: Set<HTTPRequest.Method> { Set(RouterMethodsCandidates.all) }

    let inner: Inner

    func respond(to request: Request, context: APIRequestContext) async throws -> Response {
        let response = try await inner.respond(to: request, context: context)
        guard response.status == .notFound, !Self.registeredMethods.contains(request.method) else { return response }
        var head = request.head
        head.method = .trace
        let probe = try await inner.respond(to: Request(head: head, body: RequestBody(buffer: ByteBuffer())), context: context)
        guard probe.status == .methodNotAllowed, let allow = probe.headers[.allow] else { return response }
        let allowed = allow.split(separator: ",").compactMap { HTTPRequest.Method(String($0.trimmingCharacters(in: .whitespaces))) }
        return try Problem.methodNotAllowed(request.method, allowed: allowed).response(from: request, context: context)
    }
}

/// Builds `UnknownMethodResponder` over a router.
struct UnknownMethodRouter<Inner: HTTPResponderBuilder>: HTTPResponderBuilder
where Inner.Responder.Context == APIRequestContext {
    let router: Inner

    func buildResponder() -> UnknownMethodResponder<Inner.Responder> {
        UnknownMethodResponder(inner: router.buildResponder())
    }
}
