import ResourceModel

/// What the REST API reads from storage; `AppDatabase` in production, a fake in tests (e.g. a failing one).
protocol EndpointRepository: Sendable {
    /// Endpoint rows sorted by name, optionally filtered and paged (see `AppDatabase.endpoints`).
    func endpoints(online: Bool?, namePrefix: String?, limit: Int?, offset: Int) async throws -> [EndpointRecord]
    /// The row of the endpoint `name`, or `nil`.
    func endpoint(named name: String) async throws -> EndpointRecord?
    /// Throws when storage does not answer.
    func ping() async throws
}

extension AppDatabase: EndpointRepository {}
