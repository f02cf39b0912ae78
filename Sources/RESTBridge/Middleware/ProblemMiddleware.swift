import Hummingbird
import Logging

/// Turns every error thrown below it into an RFC 9457 `application/problem+json` response.
///
/// `Problem`s are sent as they are; Hummingbird's `HTTPError`s (unknown route, bad parameter) keep their status;
/// anything else becomes a generic 500 whose cause is logged and never sent. Add it to the router first so it
/// also wraps the not-found responder and the other middleware.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Runs the rest of the chain and renders its errors as problems.
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let queued as QueuedForSleepingDevice {
            return try queued.response(from: request, context: context)
        } catch {
            return try problem(for: error, request: request, context: context)
                .response(from: request, context: context)
        }
    }

    /// The problem a client sees for `error`.
    private func problem(for error: any Error, request: Request, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            if problem.status.kind == .serverError {
                context.logger.warning(
                    "request failed", metadata: ["path": "\(request.uri.path)", "status": "\(problem.status.code)"])
            } else if problem.status == .unauthorized || problem.status == .forbidden {
                problem.logRefusal(request, logger: context.logger)
            }
            return problem
        case let error as HTTPError where error.status.kind == .clientError:
            if error.status == .notFound, error.body == nil {
                return Problem.routeNotFound(method: request.method, path: request.uri.path)
            }
            return Problem(status: error.status, detail: error.body, headers: error.headers)
        case let error as any HTTPResponseError where error.status.kind == .clientError:
            return Problem(status: error.status)
        default:
            context.logger.error(
                "request failed",
                metadata: [
                    "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "error": "\(error)",
                ])
            return .internalError
        }
    }
}
