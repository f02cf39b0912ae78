import Hummingbird
import ResourceModel

/// `GET /healthz`: liveness plus a trivial database query; never authenticated.
struct HealthController {
    /// The body of a healthy answer.
    struct Status: ResponseEncodable, Equatable {
        /// Always `"ok"`.
        var status: String
    }

    /// The storage that must answer.
    let repository: any EndpointStore

    /// Registers the route (and 405 answers for the other methods) on `router`.
    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        router.get("/healthz", use: health)
        router.rejectOtherMethods("/healthz", allowed: [.get, .head])
    }

    /// 200 `{"status":"ok"}` when the database answers, else 503 problem (the cause is logged).
    @Sendable func health(_ request: Request, context: APIRequestContext) async throws -> Status {
        do {
            try await repository.ping()
        } catch {
            context.logger.error("health check: database does not answer", metadata: ["error": "\(error)"])
            throw Problem.databaseUnavailable
        }
        return Status(status: "ok")
    }
}
