import CoAP
import Logging

extension LwM2MServer: DeviceManagement {
    /// The object definitions used to type device payloads.
    public var objectModel: ObjectModelRegistry { requestEncoder.model }

    /// Sends a DM operation to a registered client over the session its last Register/Update came on
    /// (LwM2M 1.1 Transport §6.3), negotiating the payload format when `format` is `nil`.
    public func send(_ request: DeviceRequest, to endpoint: String, format: ContentFormat?, timeout: Duration)
        async throws(DeviceRequestError) -> DeviceResponse
    {
        guard let entry = registry.table.withLock({ $0.entry(endpoint: endpoint) }) else {
            if await knownEndpoint(endpoint) {
                throw DeviceRequestError(.offline, "endpoint '\(endpoint)' is not registered")
            }
            throw DeviceRequestError(.unknownEndpoint, "no endpoint '\(endpoint)'")
        }
        guard let session = entry.session else {
            throw DeviceRequestError(
                .offline, "endpoint '\(endpoint)' has not talked to the server since it restarted; wait for its next update")
        }
        let registration = entry.registration
        let chosen: ContentFormat
        switch request {
        case .readComposite, .writeComposite:
            chosen = ContentFormatNegotiation.composite(for: registration, forced: format)
        case .read, .discover, .write, .writeAttributes, .execute, .create, .delete:
            chosen = format ?? ContentFormatNegotiation.preferred(for: registration)
        }
        let coapRequest = try requestEncoder.coapRequest(for: request, format: chosen, rootPath: registration.rootPath)
        let answer: CoAPResponse
        do {
            answer = try await self.endpoint.send(coapRequest, on: session, timeout: timeout)
        } catch let error as CoAPError {
            logger.notice("device request failed", metadata: [
                "endpoint": "\(endpoint)", "request": "\(coapRequest.method) \(coapRequest.path)", "error": "\(error)",
            ])
            switch error.kind {
            case .timeout: throw DeviceRequestError(.timeout, "no answer from '\(endpoint)' within \(timeout)")
            case .sessionGone, .notRunning: throw DeviceRequestError(.offline, error.message)
            case .reset, .tooManyRetries, .unreachable, .sendFailed, .bindFailed, .invalidAddress:
                throw DeviceRequestError(.unreachable, error.message)
            case .cancelled: throw DeviceRequestError(.timeout, "request cancelled")
            }
        } catch {
            throw DeviceRequestError(.unreachable, "\(error)")
        }
        logger.debug("device request answered", metadata: [
            "endpoint": "\(endpoint)", "request": "\(coapRequest.method) \(coapRequest.path)", "code": "\(answer.code)",
        ])
        return try requestEncoder.response(
            to: request, answer, requestedFormat: chosen, rootPath: registration.rootPath)
    }
}
