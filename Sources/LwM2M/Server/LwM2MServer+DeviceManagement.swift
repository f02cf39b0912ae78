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
        let started = ContinuousClock.now
        do {
            let response = try await exchange(request, with: endpoint, format: format, timeout: timeout)
            ServerMetrics.deviceRequest(request, outcome: "success", duration: .now - started)
            return response
        } catch {
            ServerMetrics.deviceRequest(request, outcome: error.kind.metricName, duration: .now - started)
            throw error
        }
    }

    /// `send` without the metrics.
    private func exchange(_ request: DeviceRequest, with endpoint: String, format: ContentFormat?, timeout: Duration)
        async throws(DeviceRequestError) -> DeviceResponse
    {
        let (entry, session) = try await liveSession(for: endpoint)
        let registration = entry.registration
        let chosen: ContentFormat
        switch request {
        case .readComposite, .writeComposite:
            // Read-Composite and Write-Composite were added in LwM2M 1.1 (Core §6.3.8, §6.3.9; Transport §6.3).
            guard registration.lwm2mVersion >= .v1_1 else {
                throw DeviceRequestError(
                    .invalidRequest,
                    "composite operations need LwM2M 1.1 or later; '\(endpoint)' registered with LwM2M "
                        + registration.lwm2mVersion.rawValue)
            }
            chosen = ContentFormatNegotiation.composite(for: registration, forced: format)
        case .create(_, let instance):
            chosen = format ?? ContentFormatNegotiation.create(instance, for: registration)
        case .read, .discover, .write, .writeAttributes, .execute, .delete:
            chosen = format ?? ContentFormatNegotiation.preferred(for: registration)
        }
        let coapRequest = try requestEncoder.coapRequest(for: request, format: chosen, rootPath: registration.rootPath)
        let answer: CoAPResponse
        do {
            answer = try await self.endpoint.send(coapRequest, on: session, timeout: timeout)
        } catch {
            logger.notice("device request failed", metadata: [
                "endpoint": "\(endpoint)", "request": "\(coapRequest.method) \(coapRequest.path)", "error": "\(error)",
            ])
            if let kind = (error as? CoAPError)?.kind, kind == .timeout || kind == .tooManyRetries {
                // A client that does not hear requests has probably lost its observations too (it may have
                // marked the server unreachable): re-make them when it next registers or updates.
                markObservationsStale(endpoint: endpoint, reason: "a request to the client went unanswered")
            }
            throw Self.transportError(error, endpoint: endpoint, timeout: timeout)
        }
        logger.debug("device request answered", metadata: [
            "endpoint": "\(endpoint)", "request": "\(coapRequest.method) \(coapRequest.path)", "code": "\(answer.code)",
        ])
        return try requestEncoder.response(
            to: request, answer, requestedFormat: chosen, rootPath: registration.rootPath)
    }

    /// Sends one Block1 block of an opaque Write (push delivery of a firmware package to `/5/0/0`) over the
    /// client's live session. libcoap passes explicit Block1 requests through as one PDU each and hands back the
    /// device's answer, 2.31 or 4.13 included (see `CoAPEndpoint.Configuration.libcoapBlockwise`).
    public func writeBlock(_ request: BlockWriteRequest, to endpoint: String, timeout: Duration)
        async throws(DeviceRequestError) -> BlockWriteAnswer
    {
        guard request.path.isResource || request.path.isResourceInstance else {
            throw DeviceRequestError(.invalidRequest, "a block-wise Write targets a resource, not \(request.path)")
        }
        let (entry, session) = try await liveSession(for: endpoint)
        let root = entry.registration.rootPath.split(separator: "/").map(String.init)
        let coapRequest = CoAPRequest(
            method: .put, uriPath: root + request.path.ids.map(String.init),
            contentFormat: ContentFormat.opaque.rawValue, payload: request.payload, block1: request.block,
            size1: request.totalSize)
        let started = ContinuousClock.now
        do {
            let answer = try await self.endpoint.send(coapRequest, on: session, timeout: timeout, token: request.token)
            ServerMetrics.blockWritten(outcome: answer.code.isSuccess ? "success" : "device_error",
                                       bytes: request.payload.count, duration: .now - started)
            return BlockWriteAnswer(code: answer.code, block1: answer.block1, message: answer.payloadText)
        } catch {
            let failure = Self.transportError(error, endpoint: endpoint, timeout: timeout)
            ServerMetrics.blockWritten(outcome: failure.kind.metricName, bytes: 0, duration: .now - started)
            logger.notice("block-wise write failed", metadata: [
                "endpoint": "\(endpoint)", "path": "\(request.path)", "block": "\(request.block)",
                "error": "\(failure)",
            ])
            throw failure
        }
    }

    /// Maps a CoAP transport failure to the device-management error the REST API understands.
    static func transportError(_ error: any Error, endpoint: String, timeout: Duration) -> DeviceRequestError {
        guard let error = error as? CoAPError else { return DeviceRequestError(.unreachable, "\(error)") }
        switch error.kind {
        case .timeout: return DeviceRequestError(.timeout, "no answer from '\(endpoint)' within \(timeout)")
        case .sessionGone, .notRunning: return DeviceRequestError(.offline, error.message)
        case .reset, .tooManyRetries, .unreachable, .sendFailed, .bindFailed, .invalidAddress:
            return DeviceRequestError(.unreachable, error.message)
        case .cancelled: return DeviceRequestError(.timeout, "request cancelled")
        }
    }

    /// The live registration of `endpoint` and a session to reach it (opened when it has none yet).
    func liveSession(for endpoint: String) async throws(DeviceRequestError) -> (RegistrationTable.Entry, CoAPSessionID) {
        guard let entry = registry.clients.withLock({ $0.registrations.entry(endpoint: endpoint) }) else {
            if await knownEndpoint(endpoint) {
                throw DeviceRequestError(.offline, "endpoint '\(endpoint)' is not registered")
            }
            throw DeviceRequestError(.unknownEndpoint, "no endpoint '\(endpoint)'")
        }
        if let session = entry.session { return (entry, session) }
        if registry.requiresDTLS(entry.registration) {
            // The server cannot open a DTLS session to a client, and plaintext would both leak the request and
            // let anyone on the client's old address answer it: wait until the client talks over DTLS again.
            throw DeviceRequestError(
                .offline,
                "endpoint '\(endpoint)' uses DTLS and has not talked to the server since it restarted; "
                    + "it is reachable again after its next Register or Update")
        }
        return (entry, try await reconnect(entry.registration))
    }

    /// Opens a session to a client restored after a restart (no session yet), from the listening port, so that
    /// the client sees the server's usual address; the session is kept with the registration.
    private func reconnect(_ registration: Registration) async throws(DeviceRequestError) -> CoAPSessionID {
        guard let (host, port) = Self.splitAddress(registration.address) else {
            throw DeviceRequestError(.offline, "no usable address for '\(registration.endpoint)'")
        }
        let session: CoAPSessionID
        do {
            session = try await endpoint.connectFromListeningPort(host: host, port: port)
        } catch {
            throw DeviceRequestError(.unreachable, "cannot open a session to \(registration.address): \(error)")
        }
        let kept = registry.clients.withLock { $0.registrations.attach(session: session, to: registration.id) }
        if kept != session { endpoint.release(session) }
        guard let kept else { throw DeviceRequestError(.offline, "endpoint '\(registration.endpoint)' is not registered") }
        logger.info("opened a session to a restored registration", metadata: [
            "endpoint": "\(registration.endpoint)", "address": "\(registration.address)",
        ])
        return kept
    }

    /// Splits `1.2.3.4:5683` or `[::1]:5683`.
    static func splitAddress(_ address: String) -> (String, UInt16)? {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            return nil
        }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
