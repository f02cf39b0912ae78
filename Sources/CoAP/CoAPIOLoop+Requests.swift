import CLibCoAP

extension CoAPIOLoop {
    /// Builds and sends a request on the I/O thread and records it as pending.
    func startRequest(
        _ request: CoAPRequest, key: PendingKey, deadline: ContinuousClock.Instant, label: String,
        continuation: CheckedContinuation<CoAPResponse, any Error>
    ) {
        guard let session = sessions[key.session] else {
            continuation.resume(throwing: CoAPError(.sessionGone, "unknown or closed session \(key.session)"))
            return
        }
        guard let pdu = PDUWriter.makeRequest(request, token: key.token, session: session) else {
            continuation.resume(throwing: CoAPError(.sendFailed, "cannot build \(label)"))
            return
        }
        addPending(key, Pending(continuation: continuation, deadline: deadline, description: label))
        if coap_send(session, pdu) == COAP_INVALID_MID {
            _ = completePending(key, with: .failure(CoAPError(.sendFailed, "libcoap could not send \(label)")))
        }
    }

    /// Opens a UDP client session to `host:port` and returns its id; the endpoint holds it until released.
    func openClientSession(host: String, port: UInt16) throws(CoAPError) -> CoAPSessionID {
        guard let ctx = context else { throw CoAPError(.notRunning, "no context") }
        var address = try SocketAddress.resolve(host: host, port: port, passive: false)
        guard let session = coap_new_client_session(ctx, nil, &address, COAP_PROTO_UDP) else {
            throw CoAPError(.sendFailed, "cannot open a session to \(host):\(port)")
        }
        let id = sessionID(for: session)
        clientSessions.insert(id)
        return CoAPSessionID(rawValue: id)
    }
}
