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
    ///
    /// With `fromListeningPort`, the session's socket is bound to the listening address and port (libcoap sets
    /// SO_REUSEADDR) and connected to the peer, so the peer sees requests come from the server's usual
    /// address, and Linux delivers the peer's datagrams to this more specific socket.
    func openClientSession(host: String, port: UInt16, fromListeningPort: Bool = false) throws(CoAPError) -> CoAPSessionID {
        guard let ctx = context else { throw CoAPError(.notRunning, "no context") }
        var address = try SocketAddress.resolve(host: host, port: port, passive: false)
        var local = coap_address_t()
        if fromListeningPort {
            guard let bindHost = configuration.bindHost, let boundPort else {
                throw CoAPError(.notRunning, "no listening endpoint to send from")
            }
            local = try SocketAddress.resolve(host: bindHost, port: boundPort, passive: true)
        }
        let created = fromListeningPort
            ? coap_new_client_session(ctx, &local, &address, COAP_PROTO_UDP)
            : coap_new_client_session(ctx, nil, &address, COAP_PROTO_UDP)
        guard let session = created else {
            throw CoAPError(.sendFailed, "cannot open a session to \(host):\(port)")
        }
        let id = sessionID(for: session)
        clientSessions.insert(id)
        return CoAPSessionID(rawValue: id)
    }
}
