import CLibCoAP
import Dispatch
import Foundation
import Logging
import Synchronization

/// Owns one libcoap context and the single thread that is allowed to touch it.
///
/// libcoap 4.3.1 is not thread-safe. Every libcoap call made through this type happens on its I/O
/// thread: other threads hand work over with `submit(_:)`, which appends a closure under a mutex and
/// wakes the loop through an eventfd. The closures capture Sendable values only (ids, bytes,
/// continuations), never C pointers. The mutable state below is confined to the I/O thread, which is
/// why the class is `@unchecked Sendable`: only `commands`, `wakeFD` and `state` are shared.
final class CoAPIOLoop: @unchecked Sendable {
    typealias Command = @Sendable (CoAPIOLoop) -> Void

    struct PendingKey: Hashable {
        var session: UInt64
        var token: [UInt8]
    }

    struct Pending {
        var continuation: CheckedContinuation<CoAPResponse, any Error>
        var deadline: ContinuousClock.Instant
        var description: String
    }

    enum LoopState: Sendable { case idle, running, stopping, stopped }

    let configuration: CoAPEndpoint.Configuration
    let logger: Logger
    let requestHandler: CoAPEndpoint.RequestHandler
    let sessionClosedHandler: CoAPEndpoint.SessionClosedHandler?
    let unsolicitedResponseHandler: CoAPEndpoint.UnsolicitedResponseHandler?
    let resetHandler: CoAPEndpoint.ResetHandler?

    // Shared between threads.
    private let commands = Mutex<[Command]>([])
    let state = Mutex<LoopState>(.idle)
    private let wakeFD: Int32
    private let boundPortBox = Mutex<UInt16?>(nil)
    private let boundDTLSPortBox = Mutex<UInt16?>(nil)
    /// The listening sockets libcoap opened: name (`coap`, `coaps`), descriptor and port.
    private let listeningSockets = Mutex<[(name: String, fd: Int32, port: UInt16)]>([])

    // Confined to the I/O thread.
    var context: OpaquePointer?
    var sessions: [UInt64: OpaquePointer] = [:]
    var retained: Set<UInt64> = []
    var clientSessions: Set<UInt64> = []
    var pending: [PendingKey: Pending] = [:]
    /// Sessions libcoap reported closed while this side still held a reference: released after the callback
    /// returns (never inside it), so that no reference is left when the context is freed (libcoap asserts
    /// `session->ref == 0` in `coap_free_endpoint`).
    var releaseAfterCallbacks: [OpaquePointer] = []
    /// Block-wise request bodies libcoap hands over block by block (a first block without Size1).
    var block1Transfers: Block1Reassembler
    private var nextDeadline: ContinuousClock.Instant?
    private var nextSessionNumber: UInt64 = 1
    private var ioThread: pthread_t?
    /// The key the PSK identity callback returned last (libcoap copies it before the next handshake step).
    private let pskKeyBin = UnsafeMutablePointer<coap_bin_const_t>.allocate(capacity: 1)
    private var pskKeyBytes: UnsafeMutablePointer<UInt8>?
    /// What each DTLS session's peer proved in a certificate or raw-public-key handshake (libcoap 4.3.1 tells it
    /// only during the handshake, through the PKI callback); PSK sessions are asked of libcoap instead.
    var peerIdentities: [UInt64: CoAPPeerIdentity] = [:]
    /// NUL-terminated copies of the PEM texts handed to libcoap's PKI set-up, by content: libcoap keeps the
    /// pointers and reads them at every handshake, so they live as long as the loop.
    private var pemBuffers: [[UInt8]: (pointer: UnsafeMutablePointer<UInt8>, count: Int)] = [:]

    init(
        configuration: CoAPEndpoint.Configuration, logger: Logger,
        requestHandler: @escaping CoAPEndpoint.RequestHandler,
        sessionClosedHandler: CoAPEndpoint.SessionClosedHandler?,
        unsolicitedResponseHandler: CoAPEndpoint.UnsolicitedResponseHandler?,
        resetHandler: CoAPEndpoint.ResetHandler?
    ) {
        self.configuration = configuration
        block1Transfers = Block1Reassembler(maxBody: configuration.maxBlock1Body)
        self.logger = logger
        self.requestHandler = requestHandler
        self.sessionClosedHandler = sessionClosedHandler
        self.unsolicitedResponseHandler = unsolicitedResponseHandler
        self.resetHandler = resetHandler
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(wakeFD >= 0, "eventfd failed")
    }

    deinit {
        close(wakeFD)
        for buffer in pemBuffers.values { buffer.pointer.deallocate() }
        pskKeyBytes?.deallocate()
        pskKeyBin.deallocate()
    }

    /// The UDP port the server endpoint is bound to, once started (useful with port 0).
    var boundPort: UInt16? { boundPortBox.withLock { $0 } }

    /// The DTLS port, once started, when DTLS is configured.
    var boundDTLSPort: UInt16? { boundDTLSPortBox.withLock { $0 } }

    /// The kernel's counters for each listening socket.
    func socketStatistics() -> [CoAPSocketStatistics] {
        listeningSockets.withLock { $0 }.map { socket in
            let counters = ListeningSocket.kernelCounters(socket.fd)
            return CoAPSocketStatistics(
                socket: socket.name, port: socket.port, receiveBufferBytes: ListeningSocket.receiveBuffer(socket.fd),
                queuedBytes: counters?.queued ?? 0, drops: counters?.drops ?? 0)
        }
    }

    /// Refuses a port another socket holds: libcoap binds with `SO_REUSEADDR`, so a second server on the same UDP
    /// port would start and the kernel would split the datagrams between both.
    private func probe(_ address: coap_address_t, host: String, port: UInt16, proto: String) throws(CoAPError) {
        guard port != 0, let error = ListeningSocket.probe(address) else { return }
        throw CoAPError(
            .bindFailed, "UDP port \(port) (\(proto)) on \(host) is already in use: \(String(cString: strerror(error)))")
    }

    /// Finds the socket libcoap bound to `port`, sizes its receive buffer and remembers it for draining and counters.
    private func adopt(port: UInt16, family: Int32, name: String) {
        let known = Set(listeningSockets.withLock { $0 }.map(\.fd))
        guard let fd = ListeningSocket.find(port: port, family: family, excluding: known) else {
            logger.warning("cannot find the listening socket; no receive-buffer sizing or drop counters", metadata: [
                "socket": "\(name)", "port": "\(port)",
            ])
            return
        }
        if let wanted = configuration.receiveBufferBytes {
            let effective = ListeningSocket.setReceiveBuffer(fd, bytes: wanted)
            // The kernel reports twice the usable size (bookkeeping); less than asked means it was capped.
            let level: Logger.Level = effective < wanted ? .warning : .info
            logger.log(level: level, "UDP receive buffer", metadata: [
                "socket": "\(name)", "requested": "\(wanted)", "effective": "\(effective)",
            ])
        }
        listeningSockets.withLock { $0.append((name, fd, port)) }
    }

    /// The key for `identity` as libcoap wants it (I/O thread, during a DTLS handshake), or nil to refuse.
    func pskKey(for identity: [UInt8]) -> UnsafePointer<coap_bin_const_t>? {
        guard let key = configuration.pskKey?(identity), !key.isEmpty else {
            logger.notice("DTLS handshake refused: unknown PSK identity", metadata: [
                "identity": "\(String(decoding: identity, as: UTF8.self))",
            ])
            return nil
        }
        pskKeyBytes?.deallocate()
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: key.count)
        bytes.initialize(from: key, count: key.count)
        pskKeyBytes = bytes
        pskKeyBin.pointee = coap_bin_const_t(length: key.count, s: bytes)
        return UnsafePointer(pskKeyBin)
    }

    /// Whether the peer of `session` may finish a certificate or raw-public-key handshake (I/O thread, inside the
    /// PKI callback): `der` is its certificate or, for a raw public key (`cn` "RPK"), its SubjectPublicKeyInfo.
    func acceptPeer(cn: String, der: [UInt8], session: OpaquePointer, depth: UInt32, validated: Bool) -> Bool {
        // Depth above 0 is a CA of the chain the TLS layer checked; only the peer's own certificate is decided here.
        guard depth == 0 else { return validated }
        let identity: CoAPPeerIdentity = cn == "RPK" && CoAPPeerIdentity.isSubjectPublicKeyInfo(der)
            ? .rawPublicKey(der) : .certificate(name: cn, der: der)
        let peer = SocketAddress.describe(coap_session_get_addr_remote(session))
        guard validated, let pki = configuration.pki, pki.acceptsPeer(identity) else {
            logger.notice("DTLS handshake refused", metadata: [
                "peer": "\(peer)", "identity": "\(identity)",
                "reason": "\(validated ? "no endpoint has this credential" : "not validated by the TLS layer")",
            ])
            return false
        }
        peerIdentities[sessionID(for: session)] = identity
        return true
    }

    /// The peer identity of a request or response that arrived on `session`: `nil` for plain CoAP; for DTLS what
    /// the handshake proved (a PSK session always has an identity, possibly empty).
    func peerIdentity(of session: OpaquePointer) -> CoAPPeerIdentity? {
        guard coap_session_get_proto(session) == COAP_PROTO_DTLS else { return nil }
        if let raw = coap_session_get_app_data(session), let identity = peerIdentities[UInt64(UInt(bitPattern: raw))] {
            return identity
        }
        return .preSharedKey(coap_session_get_psk_identity(session).map { bin in
            bin.pointee.length == 0 ? [] : Array(UnsafeBufferPointer(start: bin.pointee.s, count: bin.pointee.length))
        } ?? [])
    }

    /// A NUL-terminated copy of `pem` that lives as long as the loop.
    private func pemBuffer(_ pem: [UInt8]) -> (pointer: UnsafePointer<UInt8>, count: Int) {
        if let buffer = pemBuffers[pem] { return (UnsafePointer(buffer.pointer), buffer.count) }
        let count = pem.count + 1
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
        pointer.initialize(from: pem, count: pem.count)
        (pointer + pem.count).initialize(to: 0)
        pemBuffers[pem] = (pointer, count)
        return (UnsafePointer(pointer), count)
    }

    /// libcoap's PKI set-up with PEM buffers: `publicPEM` is the certificate, or with `rawPublicKey` the public
    /// key (RFC 7250). Peers are verified (certificates chained to the trusted CAs, no self-signed ones, none
    /// expired) only when `verifyPeer`.
    func pkiSetup(publicPEM: [UInt8], privateKeyPEM: [UInt8], rawPublicKey: Bool, verifyPeer: Bool = false)
        -> coap_dtls_pki_t
    {
        var setup = coap_dtls_pki_t()
        setup.version = UInt8(COAP_DTLS_PKI_SETUP_VERSION)
        setup.verify_peer_cert = verifyPeer ? 1 : 0
        setup.check_common_ca = 0
        setup.allow_self_signed = 0
        setup.allow_expired_certs = 0
        setup.cert_chain_validation = 1
        setup.cert_chain_verify_depth = 4
        // No CRL distribution here: revocation is removing the endpoint's credential or the CA.
        setup.check_cert_revocation = 0
        setup.allow_no_crl = 1
        setup.allow_expired_crl = 1
        setup.allow_bad_md_hash = 0
        setup.allow_short_rsa_length = 0
        setup.is_rpk_not_cert = rawPublicKey ? 1 : 0
        let certificate = pemBuffer(publicPEM), key = pemBuffer(privateKeyPEM)
        setup.pki_key.key_type = COAP_PKI_KEY_PEM_BUF
        setup.pki_key.key.pem_buf.public_cert = certificate.pointer
        setup.pki_key.key.pem_buf.public_cert_len = certificate.count
        setup.pki_key.key.pem_buf.private_key = key.pointer
        setup.pki_key.key.pem_buf.private_key_len = key.count
        return setup
    }

    // MARK: - Cross-thread API

    /// Starts the I/O thread, creates the context and binds; throws if binding fails.
    func start() throws {
        try state.withLock { state in
            guard state == .idle else { throw CoAPError(.notRunning, "endpoint already started") }
            state = .running
        }
        let started = DispatchSemaphore(value: 0)
        let startError = Mutex<CoAPError?>(nil)
        let thread = Thread { [self] in
            do {
                try self.setUp()
            } catch let error as CoAPError {
                startError.withLock { $0 = error }
                self.state.withLock { $0 = .stopped }
                started.signal()
                return
            } catch {
                preconditionFailure("unexpected error \(error)")
            }
            started.signal()
            self.runLoop()
        }
        thread.name = "coap-io"
        thread.stackSize = 1 << 20
        thread.start()
        started.wait()
        if let error = startError.withLock({ $0 }) { throw error }
    }

    /// Asks the loop to stop, fails whatever is pending, frees the context; returns when the thread is done.
    func stop() {
        let wasRunning = state.withLock { state -> Bool in
            guard state == .running else { return false }
            state = .stopping
            return true
        }
        guard wasRunning else { return }
        wake()
        while state.withLock({ $0 }) != .stopped {
            usleep(1_000)
        }
    }

    /// Queues `command` for the I/O thread; runs it inline when already on the I/O thread.
    func submit(_ command: @escaping Command) -> Bool {
        if isOnIOThread {
            command(self)
            return true
        }
        let accepted = state.withLock { state -> Bool in
            guard state == .running else { return false }
            commands.withLock { $0.append(command) }
            return true
        }
        if accepted { wake() }
        return accepted
    }

    var isOnIOThread: Bool {
        guard let ioThread else { return false }
        return pthread_equal(ioThread, pthread_self()) != 0
    }

    private func wake() {
        eventfd_write(wakeFD, 1)
    }

    // MARK: - I/O thread

    private func setUp() throws(CoAPError) {
        ioThread = pthread_self()
        lwm2m_set_thread_name("coap-io")
        coap_startup()
        CoAPLogBridge.install(logger: logger, level: configuration.libcoapLogLevel)
        guard let ctx = coap_new_context(nil) else {
            throw CoAPError(.bindFailed, "coap_new_context failed")
        }
        context = ctx
        coap_set_app_data(ctx, Unmanaged.passUnretained(self).toOpaque())
        // Without libcoap's block mode an explicit Block2 block 0 is not continued (see `libcoapBlockwise`).
        coap_context_set_block_mode(ctx, Self.blockMode(configuration.libcoapBlockwise))
        coap_context_set_max_idle_sessions(ctx, configuration.maxIdleSessions)
        coap_context_set_session_timeout(ctx, configuration.idleSessionTimeout)
        coap_register_response_handler(ctx, coapResponseCallback)
        coap_register_nack_handler(ctx, coapNackCallback)
        coap_register_event_handler(ctx, coapEventCallback)

        guard let resource = coap_resource_unknown_init2(coapRequestCallback, 0) else {
            throw CoAPError(.bindFailed, "coap_resource_unknown_init2 failed")
        }
        for method in [COAP_REQUEST_GET, COAP_REQUEST_POST, COAP_REQUEST_DELETE,
                       COAP_REQUEST_FETCH, COAP_REQUEST_PATCH, COAP_REQUEST_IPATCH] {
            coap_register_request_handler(resource, method, coapRequestCallback)
        }
        coap_add_resource(ctx, resource)

        if let host = configuration.bindHost {
            if configuration.listensForPlainCoAP {
                var address = try SocketAddress.resolve(host: host, port: configuration.bindPort, passive: true)
                do {
                    try probe(address, host: host, port: configuration.bindPort, proto: "CoAP")
                } catch {
                    coap_free_context(ctx)
                    context = nil
                    throw error
                }
                guard let endpoint = coap_new_endpoint(ctx, &address, COAP_PROTO_UDP) else {
                    coap_free_context(ctx)
                    context = nil
                    throw CoAPError(.bindFailed, "cannot bind UDP \(host):\(configuration.bindPort)")
                }
                let port = SocketAddress.port(of: endpoint) ?? configuration.bindPort
                boundPortBox.withLock { $0 = port }
                adopt(port: port, family: Int32(address.addr.sa.sa_family), name: "coap")
                logger.info("CoAP endpoint listening", metadata: ["address": "\(host):\(port)", "proto": "udp"])
            }
            if let dtlsPort = configuration.dtlsBindPort {
                try setUpDTLS(ctx, host: host, port: dtlsPort)
            } else if !configuration.listensForPlainCoAP {
                coap_free_context(ctx)
                context = nil
                throw CoAPError(.bindFailed, "neither plain CoAP nor DTLS is enabled")
            }
        }
    }

    /// Listens for DTLS with pre-shared keys served by `configuration.pskKey` and, with `configuration.pki`,
    /// certificates and raw public keys.
    private func setUpDTLS(_ ctx: OpaquePointer, host: String, port: UInt16) throws(CoAPError) {
        func fail(_ message: String) -> CoAPError {
            coap_free_context(ctx)
            context = nil
            return CoAPError(.bindFailed, message)
        }
        guard coap_dtls_is_supported() != 0 else { throw fail("this libcoap has no DTLS support") }
        guard configuration.pskKey != nil || configuration.pki != nil else {
            throw fail("DTLS needs a PSK key lookup or a PKI set-up")
        }
        if configuration.pskKey != nil {
            var setup = coap_dtls_spsk_t()
            setup.version = UInt8(COAP_DTLS_SPSK_SETUP_VERSION)
            setup.validate_id_call_back = coapPSKIdentityCallback
            setup.id_call_back_arg = Unmanaged.passUnretained(self).toOpaque()
            guard coap_context_set_psk2(ctx, &setup) != 0 else { throw fail("coap_context_set_psk2 failed") }
        }
        if let pki = configuration.pki {
            let rawPublicKey = pki.presents == .rawPublicKey
            var setup = pkiSetup(
                publicPEM: rawPublicKey ? pki.publicKeyPEM : pki.certificatePEM, privateKeyPEM: pki.privateKeyPEM,
                rawPublicKey: rawPublicKey, verifyPeer: true)
            setup.validate_cn_call_back = coapPKIPeerCallback
            setup.cn_call_back_arg = Unmanaged.passUnretained(self).toOpaque()
            guard coap_context_set_pki(ctx, &setup) != 0 else { throw fail("coap_context_set_pki failed") }
            if let file = pki.trustedCAFile {
                guard coap_context_set_pki_root_cas(ctx, file, nil) != 0 else {
                    throw fail("cannot use the trusted CAs in \(file)")
                }
            }
        }
        var address = try SocketAddress.resolve(host: host, port: port, passive: true)
        do {
            try probe(address, host: host, port: port, proto: "DTLS")
        } catch {
            throw fail(error.message)
        }
        guard let endpoint = coap_new_endpoint(ctx, &address, COAP_PROTO_DTLS) else {
            throw fail("cannot bind DTLS \(host):\(port) (\(String(cString: strerror(errno))); libcoap's reason is in the log)")
        }
        let bound = SocketAddress.port(of: endpoint) ?? port
        boundDTLSPortBox.withLock { $0 = bound }
        adopt(port: bound, family: Int32(address.addr.sa.sa_family), name: "coaps")
        logger.info("CoAP endpoint listening", metadata: ["address": "\(host):\(bound)", "proto": "dtls"])
    }

    private func runLoop() {
        guard let ctx = context else { return }
        let coapFD = coap_context_get_coap_fd(ctx)
        var fds = [pollfd(fd: coapFD, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        // Every listening socket was adopted in `setUp`, before the loop: read them once, not on every pass.
        let listeningFDs = listeningSockets.withLock { $0.map(\.fd) }
        while state.withLock({ $0 }) == .running {
            coap_io_process(ctx, UInt32.max)  // COAP_IO_NO_WAIT
            drainWaitingDatagrams(ctx, listeningFDs, epollFD: coapFD)
            releaseClosedSessions()
            runCommands()
            expirePending()
            // coap_io_process already ran coap_io_prepare_epoll, which arms libcoap's timerfd inside the epoll set
            // behind coapFD: a due retransmission makes coapFD readable. Calling it again here would walk every
            // session a second time per iteration (measured: the top cost at 1000 sessions).
            var timeout: Int32 = 1000
            if let deadline = nextDeadline {
                let ms = (deadline - .now).components
                let remaining = Int32(clamping: ms.seconds * 1000 + ms.attoseconds / 1_000_000_000_000_000 + 1)
                timeout = max(0, min(timeout, remaining))
            }
            if coapFD < 0 {
                // Non-epoll build: libcoap waits on its own sockets; keep the wait short so commands still run.
                coap_io_process(ctx, UInt32(min(timeout, 20)))
                continue
            }
            fds[0].revents = 0
            fds[1].revents = 0
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready > 0, fds[1].revents & Int16(POLLIN) != 0 {
                var value: eventfd_t = 0
                eventfd_read(wakeFD, &value)
            }
        }
        tearDown()
    }

    /// libcoap 4.3.1 reads one datagram per ready socket per `coap_io_process`: read on while more wait, so a
    /// burst is taken from the kernel before its buffer overflows (bounded, so commands and timers still run).
    /// With epoll, each round only reads (`lwm2m_coap_read_ready`); a `coap_io_process` per datagram would walk
    /// every session each time.
    private func drainWaitingDatagrams(_ ctx: OpaquePointer, _ fds: [Int32], epollFD: Int32) {
        guard !fds.isEmpty else { return }
        for _ in 0..<256 {
            guard fds.contains(where: ListeningSocket.hasDatagram) else { return }
            if epollFD >= 0 {
                guard lwm2m_coap_read_ready(ctx, epollFD) > 0 else { return }
            } else {
                coap_io_process(ctx, UInt32.max)  // COAP_IO_NO_WAIT
            }
        }
    }

    private func runCommands() {
        let batch = commands.withLock { queue -> [Command] in
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            return batch
        }
        for command in batch { command(self) }
    }

    private func tearDown() {
        // Commands accepted before the state changed still run, so each continuation they carry is resumed.
        runCommands()
        releaseClosedSessions()
        failAllPending(CoAPError(.notRunning, "CoAP endpoint stopped"))
        for id in retained {
            if let session = sessions[id] { coap_session_release(session) }
        }
        retained.removeAll()
        for id in clientSessions {
            if let session = sessions[id] { coap_session_release(session) }
        }
        clientSessions.removeAll()
        sessions.removeAll()
        if let ctx = context {
            coap_free_context(ctx)
        }
        context = nil
        state.withLock { $0 = .stopped }
    }

    // MARK: - Sessions (I/O thread)

    /// The id of `session`, assigning one the first time the session is seen.
    func sessionID(for session: OpaquePointer) -> UInt64 {
        if let raw = coap_session_get_app_data(session) {
            return UInt64(UInt(bitPattern: raw))
        }
        let id = nextSessionNumber
        nextSessionNumber += 1
        coap_session_set_app_data(session, UnsafeMutableRawPointer(bitPattern: UInt(id)))
        sessions[id] = session
        return id
    }

    /// Forgets a session libcoap closed (or, `beingFreed`, is freeing), failing requests still waiting on it.
    func sessionGone(_ session: OpaquePointer, beingFreed: Bool) {
        guard let raw = coap_session_get_app_data(session) else { return }
        let id = UInt64(UInt(bitPattern: raw))
        guard sessions.removeValue(forKey: id) != nil else { return }
        peerIdentities.removeValue(forKey: id)
        let held = retained.remove(id) != nil
        let client = clientSessions.remove(id) != nil
        // A closed or failed session still exists while referenced (a deleted one had no reference left).
        if (held || client) && !beingFreed { releaseAfterCallbacks.append(session) }
        let keys = pending.keys.filter { $0.session == id }
        for key in keys {
            pending.removeValue(forKey: key)?.continuation.resume(
                throwing: CoAPError(.sessionGone, "session closed while waiting for a response"))
        }
        sessionClosedHandler?(CoAPSessionID(rawValue: id))
    }

    /// Drops the references kept on sessions libcoap has closed (I/O thread, outside libcoap callbacks).
    func releaseClosedSessions() {
        guard !releaseAfterCallbacks.isEmpty else { return }
        let closed = releaseAfterCallbacks
        releaseAfterCallbacks.removeAll()
        for session in closed { coap_session_release(session) }
    }

    func retain(_ id: UInt64) {
        guard let session = sessions[id], !retained.contains(id), !clientSessions.contains(id) else { return }
        coap_session_reference(session)
        retained.insert(id)
    }

    func release(_ id: UInt64) {
        guard let session = sessions[id] else { return }
        if retained.remove(id) != nil {
            coap_session_release(session)
        } else if clientSessions.remove(id) != nil {
            coap_session_release(session)
        }
    }

    // MARK: - Pending requests (I/O thread)

    func addPending(_ key: PendingKey, _ entry: Pending) {
        pending[key] = entry
        if nextDeadline.map({ entry.deadline < $0 }) ?? true {
            nextDeadline = entry.deadline
        }
    }

    func completePending(_ key: PendingKey, with result: Result<CoAPResponse, CoAPError>) -> Bool {
        guard let entry = pending.removeValue(forKey: key) else { return false }
        entry.continuation.resume(with: result.mapError { $0 as any Error })
        return true
    }

    private func expirePending() {
        guard let deadline = nextDeadline, deadline <= .now else { return }
        let now = ContinuousClock.now
        var next: ContinuousClock.Instant?
        for (key, entry) in pending {
            if entry.deadline <= now {
                pending.removeValue(forKey: key)
                entry.continuation.resume(
                    throwing: CoAPError(.timeout, "no response to \(entry.description) in time"))
            } else if next.map({ entry.deadline < $0 }) ?? true {
                next = entry.deadline
            }
        }
        nextDeadline = next
    }

    private func failAllPending(_ error: CoAPError) {
        let all = pending
        pending.removeAll()
        for (_, entry) in all { entry.continuation.resume(throwing: error) }
    }

    /// Resolves the loop that owns `session`'s context, from inside a libcoap callback.
    static func from(session: OpaquePointer) -> CoAPIOLoop? {
        guard let ctx = coap_session_get_context(session), let raw = coap_get_app_data(ctx) else { return nil }
        return Unmanaged<CoAPIOLoop>.fromOpaque(raw).takeUnretainedValue()
    }
}
