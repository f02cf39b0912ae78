import LwM2M

extension DeviceManagement {
    /// Sends `request` with the route's options and turns a failure into its problem.
    func send(_ request: DeviceRequest, to endpoint: String, options: DeviceRequestOptions) async throws(Problem)
        -> DeviceResponse
    {
        do {
            return try await send(request, to: endpoint, format: options.format, timeout: options.timeout)
        } catch {
            throw Problem(error, endpoint: endpoint)
        }
    }
}
