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
        if request.observe == 1, cancelKnownObservation(key: key, session: session, deadline: deadline, label: label,
                                                        continuation: continuation) {
            return
        }
        guard let pdu = PDUWriter.makeRequest(request, token: key.token, session: session) else {
            continuation.resume(throwing: CoAPError(.sendFailed, "cannot build \(label)"))
            return
        }
        if request.observe == 0 {
            // The observation must outlive this process (its token is persisted by the upper layer).
            coap_session_set_no_observe_cancel(session)
        }
        addPending(key, Pending(continuation: continuation, deadline: deadline, description: label))
        if coap_send(session, pdu) == COAP_INVALID_MID {
            _ = completePending(key, with: .failure(CoAPError(.sendFailed, "libcoap could not send \(label)")))
        }
    }

    /// Cancels an observation libcoap tracks (made by this process) with `coap_cancel_observe`, which sends the
    /// GET/FETCH with Observe=1 and the observation's own token (RFC 7641 §3.6). libcoap 4.3.1 gives a cancel
    /// built by hand and passed to `coap_send` a token of its own instead, so the device cannot match it.
    /// Returns false when libcoap does not know the token (an observation restored after a restart).
    private func cancelKnownObservation(
        key: PendingKey, session: OpaquePointer, deadline: ContinuousClock.Instant, label: String,
        continuation: CheckedContinuation<CoAPResponse, any Error>
    ) -> Bool {
        addPending(key, Pending(continuation: continuation, deadline: deadline, description: label))
        var token = key.token
        let sent = token.withUnsafeMutableBufferPointer { bytes -> Int32 in
            var binary = coap_binary_t(length: bytes.count, s: bytes.baseAddress)
            return coap_cancel_observe(session, &binary, COAP_MESSAGE_CON)
        }
        if sent == 0 { pending.removeValue(forKey: key) }
        return sent != 0
    }

    /// Opens a UDP client session to `host:port` and returns its id; the endpoint holds it until released.
    ///
    /// With `fromListeningPort`, the session's socket is bound to the listening address and port (libcoap sets
    /// SO_REUSEADDR) and connected to the peer, so the peer sees requests come from the server's usual
    /// address, and Linux delivers the peer's datagrams to this more specific socket.
    ///
    /// `libcoapBlockwise` overrides the endpoint's block mode for this one session: libcoap 4.3.1 copies the
    /// context's block mode into each session when it creates it (`coap_make_session`) and decides block-wise
    /// handling from the session's copy afterwards, so the context's mode is switched around the creation only.
    func openClientSession(
        host: String, port: UInt16, fromListeningPort: Bool = false, credential: CoAPEndpoint.ClientCredential? = nil,
        libcoapBlockwise: Bool? = nil
    ) throws(CoAPError) -> CoAPSessionID {
        guard let ctx = context else { throw CoAPError(.notRunning, "no context") }
        if let libcoapBlockwise, libcoapBlockwise != configuration.libcoapBlockwise {
            coap_context_set_block_mode(ctx, Self.blockMode(libcoapBlockwise))
        }
        defer {
            if let libcoapBlockwise, libcoapBlockwise != configuration.libcoapBlockwise {
                coap_context_set_block_mode(ctx, Self.blockMode(configuration.libcoapBlockwise))
            }
        }
        var address = try SocketAddress.resolve(host: host, port: port, passive: false)
        if let credential {
            guard coap_dtls_is_supported() != 0 else { throw CoAPError(.sendFailed, "this libcoap has no DTLS support") }
            guard let session = openDTLSClientSession(ctx, &address, credential) else {
                throw CoAPError(.sendFailed, "cannot open a DTLS session to \(host):\(port)")
            }
            let id = sessionID(for: session)
            clientSessions.insert(id)
            return CoAPSessionID(rawValue: id)
        }
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

    /// A DTLS client session to `address` presenting `credential`, or `nil` when libcoap cannot open one.
    private func openDTLSClientSession(
        _ ctx: OpaquePointer, _ address: inout coap_address_t, _ credential: CoAPEndpoint.ClientCredential
    ) -> OpaquePointer? {
        switch credential {
        case .psk(let psk):
            // libcoap copies the identity and key during the call.
            return psk.identity.withUnsafeBufferPointer { identity in
                psk.key.withUnsafeBufferPointer { key in
                    var setup = coap_dtls_cpsk_t()
                    setup.version = UInt8(COAP_DTLS_CPSK_SETUP_VERSION)
                    setup.psk_info.identity = coap_bin_const_t(length: identity.count, s: identity.baseAddress)
                    setup.psk_info.key = coap_bin_const_t(length: key.count, s: key.baseAddress)
                    return coap_new_client_session_psk2(ctx, nil, &address, COAP_PROTO_DTLS, &setup)
                }
            }
        case .rawPublicKey(let keyPEM):
            var setup = pkiSetup(publicPEM: keyPEM, privateKeyPEM: keyPEM, rawPublicKey: true)
            return coap_new_client_session_pki(ctx, nil, &address, COAP_PROTO_DTLS, &setup)
        case .certificate(let certificatePEM, let privateKeyPEM):
            var setup = pkiSetup(publicPEM: certificatePEM, privateKeyPEM: privateKeyPEM, rawPublicKey: false)
            return coap_new_client_session_pki(ctx, nil, &address, COAP_PROTO_DTLS, &setup)
        }
    }

    /// Sends a notification PDU (a 2.05 response with the observer's token) on a session (RFC 7641 §4.2).
    func sendNotification(_ response: CoAPResponse, token: [UInt8], session id: UInt64, confirmable: Bool)
        throws(CoAPError)
    {
        guard let session = sessions[id] else { throw CoAPError(.sessionGone, "unknown or closed session \(id)") }
        guard let pdu = coap_pdu_init(
            confirmable ? COAP_MESSAGE_CON : COAP_MESSAGE_NON, coap_pdu_code_t(rawValue: UInt32(response.code.rawValue)),
            coap_mid_t(coap_new_message_id(session)), coap_session_max_pdu_size(session))
        else { throw CoAPError(.sendFailed, "cannot build a notification") }
        token.withUnsafeBufferPointer { _ = coap_add_token(pdu, $0.count, $0.baseAddress) }
        if let observe = response.observe { PDUWriter.addUInt(pdu, CoAPOptionNumber.observe, UInt64(observe)) }
        if let format = response.contentFormat { PDUWriter.addUInt(pdu, CoAPOptionNumber.contentFormat, UInt64(format)) }
        if let maxAge = response.maxAge { PDUWriter.addUInt(pdu, CoAPOptionNumber.maxAge, UInt64(maxAge)) }
        if !response.payload.isEmpty {
            let added = response.payload.withUnsafeBufferPointer { coap_add_data(pdu, $0.count, $0.baseAddress) }
            guard added != 0 else {
                coap_delete_pdu(pdu)
                throw CoAPError(.sendFailed, "notification payload of \(response.payload.count) bytes does not fit a PDU")
            }
        }
        if coap_send(session, pdu) == COAP_INVALID_MID {
            throw CoAPError(.sendFailed, "libcoap could not send the notification")
        }
    }

    /// libcoap's block mode: block-wise transfers by libcoap with whole bodies (RFC 7959), or none at all, where
    /// every request and response is one PDU as the application built or received it.
    static func blockMode(_ libcoapBlockwise: Bool) -> UInt8 {
        libcoapBlockwise ? UInt8(COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY) : 0
    }
}
