import Foundation
import Logging

/// A CoAP endpoint over libcoap: serves requests from peers and sends requests to them over the same sessions.
///
/// One endpoint owns one libcoap context on one I/O thread (see `CoAPIOLoop`). With a bind host it listens
/// for peers (the LwM2M server); with none it only opens client sessions (the simulator); both can answer
/// requests that arrive on their sessions and send requests back over them — which is how an LwM2M server
/// reaches a device through the NAT binding the device opened (LwM2M 1.1 Transport §5.1).
public final class CoAPEndpoint: Sendable {
    /// Handles one inbound request. Runs on the I/O thread: it must be quick and must not block
    /// (hand slow work to another task and answer from memory). `nil` leaves the request unanswered: no response,
    /// no ACK, no Reset, as from a peer that never got it (a confirmable request is retransmitted by the peer).
    public typealias RequestHandler = @Sendable (CoAPInboundRequest) -> CoAPResponse?
    /// Told when libcoap drops a session (idle timeout, closed, failed). Runs on the I/O thread.
    public typealias SessionClosedHandler = @Sendable (CoAPSessionID) -> Void
    /// Gets a response whose token matches no pending request: a notification (RFC 7641 §3.2) of an
    /// observation the upper layer keeps, possibly established before a restart. Returns whether it is
    /// wanted; an unwanted one is answered with a Reset (RFC 7641 §3.6). Runs on the I/O thread.
    public typealias UnsolicitedResponseHandler = @Sendable (CoAPUnsolicitedResponse) -> Bool
    /// Told when a peer reset (or never acknowledged, after all retransmissions) a message of ours that was
    /// not a pending request, e.g. a notification whose observer is gone; not for transient ICMP errors.
    /// Runs on the I/O thread.
    public typealias ResetHandler = @Sendable (CoAPSessionID, _ token: [UInt8]) -> Void

    /// How to set the endpoint up.
    public struct Configuration: Sendable {
        /// The address to listen on for UDP, or `nil` for a client-only endpoint.
        public var bindHost: String?
        /// The UDP port to listen on (0 picks a free one; see `boundPort`).
        public var bindPort: UInt16
        /// libcoap's own log level (its debug level logs every packet).
        public var libcoapLogLevel: Logger.Level
        /// Idle server sessions kept before libcoap starts dropping the oldest (0 = libcoap's default).
        public var maxIdleSessions: UInt32
        /// Seconds before an idle, unreferenced server session is dropped (0 = libcoap's default, 300).
        public var idleSessionTimeout: UInt32
        /// The port to listen on for CoAP over DTLS with pre-shared keys (RFC 7252 §9.1), on `bindHost`; `nil`
        /// for none, 0 picks a free one (see `boundDTLSPort`). Needs `pskKey`.
        public var dtlsBindPort: UInt16?
        /// The key for a PSK identity a DTLS client presents, or `nil` to refuse the handshake. Runs on the I/O
        /// thread during handshakes: answer from memory.
        public var pskKey: (@Sendable ([UInt8]) -> [UInt8]?)?
        /// The receive buffer asked for on each listening socket, in bytes (`SO_RCVBUFFORCE`, else `SO_RCVBUF`,
        /// which the kernel caps at `net.core.rmem_max`); `nil` keeps the kernel's default. Bursts of datagrams
        /// beyond the buffer are dropped by the kernel, silently for the sender.
        public var receiveBufferBytes: Int?
        /// Whether libcoap does block-wise transfers on this endpoint (RFC 7959; `COAP_BLOCK_USE_LIBCOAP |
        /// COAP_BLOCK_SINGLE_BODY`): large request bodies are split, large responses fetched and reassembled, large
        /// answers served block by block, inbound Block1 bodies handed over whole. `false` leaves libcoap's block
        /// mode off on the context: every request and every response is one PDU as is, but bodies larger than one
        /// PDU can be neither sent nor served without explicit block options.
        ///
        /// Explicit `block1`/`block2` requests work on both kinds of session, with one exception found on libcoap
        /// 4.3.1: with its block mode on, a request carrying Block2 block 0 is taken as the start of a block-wise
        /// GET, libcoap fetches every further block itself and hands over the whole body without a Block2 option.
        /// Block2 blocks above 0 and all Block1 blocks pass through as one PDU each (a 2.31 or 4.13 reaches the
        /// caller, libcoap sends nothing of its own). Callers that fetch block by block from block 0 use a session
        /// without libcoap's block mode (`connect(..., libcoapBlockwise: false)`).
        public var libcoapBlockwise: Bool = true
        /// The largest Block1 block the request handler takes (16...1024, a power of two), `nil` for any: a
        /// larger block is answered 4.13 Request Entity Too Large with a Block1 option of this size, which asks
        /// the client to send the same bytes again in smaller blocks (RFC 7959 §2.9.3). Only blocks that reach
        /// the handler one by one are checked: on a session with libcoap's block mode, libcoap reassembles a
        /// Block1 body whose first block carries Size1 itself.
        public var maxBlock1Size: Int?
        /// The largest request body, in bytes, whether it came in one datagram, reassembled by libcoap or from
        /// Block1 blocks that reach the handler one by one; a larger one is answered 4.13 with Size1 (RFC 7959 §4)
        /// and never reaches the handler (`--max-coap-payload`).
        public var maxBlock1Body: Int = 1 << 20
        /// Told (on the I/O thread) of every request refused for a limit: `"coap-payload"`. For a metric.
        public var onLimitRefusal: (@Sendable (_ limit: String) -> Void)?
        /// The certificate and key the DTLS port also accepts certificate and raw-public-key peers with, beside
        /// PSK; `nil` for PSK only.
        public var pki: PKI?
        /// Whether `bindHost:bindPort` listens for plain CoAP; `false` leaves only the DTLS port (`--no-coap`).
        public var listensForPlainCoAP: Bool = true

        /// Creates a configuration.
        public init(
            bindHost: String? = nil, bindPort: UInt16 = 5683, libcoapLogLevel: Logger.Level = .warning,
            maxIdleSessions: UInt32 = 0, idleSessionTimeout: UInt32 = 0, dtlsBindPort: UInt16? = nil,
            pskKey: (@Sendable ([UInt8]) -> [UInt8]?)? = nil, receiveBufferBytes: Int? = nil
        ) {
            self.receiveBufferBytes = receiveBufferBytes
            self.bindHost = bindHost
            self.bindPort = bindPort
            self.libcoapLogLevel = libcoapLogLevel
            self.maxIdleSessions = maxIdleSessions
            self.idleSessionTimeout = idleSessionTimeout
            self.dtlsBindPort = dtlsBindPort
            self.pskKey = pskKey
        }
    }

    /// The DTLS server's own credential for certificate and raw-public-key handshakes (RFC 7250) and who it
    /// accepts, set up through libcoap's PKI support (GnuTLS build).
    ///
    /// libcoap 4.3.1 gives a context one kind of own credential: the server presents either its certificate or
    /// its raw public key. Peers that offer both kinds of server credential (GnuTLS-based clients) get along
    /// with either; a client that only knows X.509 (mbed TLS, OpenSSL) needs `.certificate`, one that only knows
    /// raw public keys (tinydtls) needs `.rawPublicKey`. PSK peers are served either way.
    public struct PKI: Sendable {
        /// What the server presents in its handshakes.
        public enum Presentation: String, Sendable, CaseIterable {
            /// Its X.509 certificate.
            case certificate
            /// Its raw public key (RFC 7250).
            case rawPublicKey
        }

        /// The server's certificate (PEM), presented with `.certificate`.
        public var certificatePEM: [UInt8]
        /// The server's public key as a SubjectPublicKeyInfo (PEM `PUBLIC KEY`), presented with `.rawPublicKey`.
        public var publicKeyPEM: [UInt8]
        /// The private key (PEM, PKCS #8 or SEC 1).
        public var privateKeyPEM: [UInt8]
        /// What the server presents.
        public var presents: Presentation
        /// A PEM file of the CAs a peer certificate must chain to; without it no certificate peer is accepted
        /// (raw public keys still are).
        public var trustedCAFile: String?
        /// Whether a peer whose key or validated certificate the TLS layer accepted may finish its handshake.
        /// Runs on the I/O thread during the handshake: answer from memory. `false` fails the handshake.
        public var acceptsPeer: @Sendable (CoAPPeerIdentity) -> Bool

        /// Creates a PKI set-up.
        public init(
            certificatePEM: [UInt8], publicKeyPEM: [UInt8], privateKeyPEM: [UInt8], presents: Presentation,
            trustedCAFile: String?, acceptsPeer: @escaping @Sendable (CoAPPeerIdentity) -> Bool
        ) {
            self.certificatePEM = certificatePEM
            self.publicKeyPEM = publicKeyPEM
            self.privateKeyPEM = privateKeyPEM
            self.presents = presents
            self.trustedCAFile = trustedCAFile
            self.acceptsPeer = acceptsPeer
        }
    }

    /// What a client presents when it opens a DTLS session.
    public enum ClientCredential: Sendable, Hashable {
        /// A pre-shared key.
        case psk(PSK)
        /// A raw public key (RFC 7250): a PEM holding an `EC PRIVATE KEY`, or a `PUBLIC KEY` and a `PRIVATE KEY`.
        case rawPublicKey(keyPEM: [UInt8])
        /// An X.509 certificate (PEM) and its private key (PEM).
        case certificate(certificatePEM: [UInt8], privateKeyPEM: [UInt8])
    }

    /// A client's pre-shared key for a DTLS session: the identity it presents and the key.
    public struct PSK: Sendable, Hashable {
        /// The PSK identity.
        public var identity: [UInt8]
        /// The key.
        public var key: [UInt8]

        /// Creates a PSK.
        public init(identity: [UInt8], key: [UInt8]) {
            self.identity = identity
            self.key = key
        }
    }

    private let loop: CoAPIOLoop

    /// The I/O loop, for tests that hold its thread busy.
    var loopForTesting: CoAPIOLoop { loop }

    /// Creates an endpoint; nothing is bound until `start()`.
    public init(
        configuration: Configuration, logger: Logger, requestHandler: @escaping RequestHandler,
        sessionClosedHandler: SessionClosedHandler? = nil,
        unsolicitedResponseHandler: UnsolicitedResponseHandler? = nil, resetHandler: ResetHandler? = nil
    ) {
        loop = CoAPIOLoop(
            configuration: configuration, logger: logger, requestHandler: requestHandler,
            sessionClosedHandler: sessionClosedHandler, unsolicitedResponseHandler: unsolicitedResponseHandler,
            resetHandler: resetHandler)
    }

    /// Starts the I/O thread and binds the listening socket; throws `CoAPError(.bindFailed)` when it cannot.
    public func start() throws {
        try loop.start()
    }

    /// Stops the I/O thread: pending requests fail with `.notRunning`, sessions are released, the context is freed.
    public func stop() {
        loop.stop()
    }

    /// The UDP port actually bound (resolves port 0), or `nil` for a client-only endpoint.
    public var boundPort: UInt16? { loop.boundPort }

    /// The DTLS port actually bound (resolves port 0), or `nil` without DTLS.
    public var boundDTLSPort: UInt16? { loop.boundDTLSPort }

    /// The kernel's counters for the listening sockets (receive buffer, queued bytes, drops), from `/proc/net/udp`.
    public func socketStatistics() -> [CoAPSocketStatistics] { loop.socketStatistics() }

    /// Opens a client session to `host:port` from a fresh local port (each session has its own socket); with
    /// `psk`, a DTLS session (the handshake runs before the first request goes out; a failed handshake fails
    /// that request with `sessionGone`).
    public func connect(host: String, port: UInt16, psk: PSK? = nil) async throws -> CoAPSessionID {
        try await connect(host: host, port: port, credential: psk.map { .psk($0) }, libcoapBlockwise: nil)
    }

    /// Opens a DTLS client session presenting `credential` (the server is not verified: the simulator's use).
    public func connect(host: String, port: UInt16, credential: ClientCredential) async throws -> CoAPSessionID {
        try await connect(host: host, port: port, credential: credential, libcoapBlockwise: nil)
    }

    /// Opens a client session like `connect(host:port:psk:)`; `libcoapBlockwise` overrides
    /// `Configuration.libcoapBlockwise` for this session only (`nil` keeps the endpoint's). `false` gives a session
    /// on which every request and response is exactly one PDU, for callers that do block-wise transfer themselves
    /// with explicit `block1`/`block2` (libcoap 4.3.1 would otherwise fetch all blocks after an explicit Block2
    /// block 0; see `CoAPIOLoop.openClientSession`).
    public func connect(
        host: String, port: UInt16, psk: PSK?, libcoapBlockwise: Bool?
    ) async throws -> CoAPSessionID {
        try await connect(host: host, port: port, credential: psk.map { .psk($0) }, libcoapBlockwise: libcoapBlockwise)
    }

    /// Opens a client session, over DTLS with `credential` or plain with none; see `connect(host:port:psk:libcoapBlockwise:)`.
    public func connect(
        host: String, port: UInt16, credential: ClientCredential?, libcoapBlockwise: Bool?
    ) async throws -> CoAPSessionID {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<CoAPSessionID, any Error>) in
            let accepted = loop.submit { loop in
                continuation.resume(with: Result {
                    try loop.openClientSession(
                        host: host, port: port, credential: credential, libcoapBlockwise: libcoapBlockwise)
                })
            }
            if !accepted { continuation.resume(throwing: CoAPError(.notRunning, "endpoint not running")) }
        }
    }

    /// Opens a session to a peer from the listening address and port, for a peer whose own session is gone
    /// (e.g. a client registered before a restart): it sees requests come from the server's usual port.
    public func connectFromListeningPort(host: String, port: UInt16) async throws -> CoAPSessionID {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<CoAPSessionID, any Error>) in
            let accepted = loop.submit { loop in
                continuation.resume(with: Result {
                    try loop.openClientSession(host: host, port: port, fromListeningPort: true)
                })
            }
            if !accepted { continuation.resume(throwing: CoAPError(.notRunning, "endpoint not running")) }
        }
    }

    /// Sends `request` to the peer of `session` and waits for its response (RFC 7252 §5.2), at most `timeout`.
    ///
    /// Confirmable requests are retransmitted by libcoap; block-wise transfers in either direction are done
    /// by libcoap and the response carries the whole body. A request with an explicit `block1` or `block2` is
    /// sent as one PDU with its payload as is, and its response carries that PDU's payload and block options
    /// (RFC 7959 §2); on a libcoap-blockwise session an explicit Block2 block 0 is still continued by libcoap
    /// (see `Configuration.libcoapBlockwise`). Throws `CoAPError` on timeout, reset, a closed
    /// session or a stopped endpoint; a 4.xx/5.xx answer is a response, not an error.
    public func send(
        _ request: CoAPRequest, on session: CoAPSessionID, timeout: Duration = .seconds(5), token: [UInt8]? = nil
    ) async throws -> CoAPResponse {
        let token = token ?? Self.newToken()
        let key = CoAPIOLoop.PendingKey(session: session.rawValue, token: token)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let label = "\(request.method) \(request.path)"
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<CoAPResponse, any Error>) in
                let accepted = loop.submit { loop in
                    loop.startRequest(request, key: key, deadline: deadline, label: label, continuation: continuation)
                }
                if !accepted { continuation.resume(throwing: CoAPError(.notRunning, "endpoint not running")) }
            }
        } onCancel: {
            _ = loop.submit { loop in
                _ = loop.completePending(key, with: .failure(CoAPError(.cancelled, "request cancelled")))
            }
        }
    }

    /// A fresh random 8-byte token (libcoap's own tokens restart at 1 for every session).
    public static func newToken() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Sends a notification for an observation a peer made on this endpoint (RFC 7641 §4.2): a 2.05
    /// response carrying the observer's token and an Observe sequence number, confirmable or not.
    /// A Reset from the peer is reported to the `resetHandler`.
    public func sendNotification(
        _ response: CoAPResponse, token: [UInt8], on session: CoAPSessionID, confirmable: Bool
    ) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = loop.submit { loop in
                continuation.resume(with: Result {
                    try loop.sendNotification(response, token: token, session: session.rawValue, confirmable: confirmable)
                })
            }
            if !accepted { continuation.resume(throwing: CoAPError(.notRunning, "endpoint not running")) }
        }
    }

    /// Sends many notifications in one hand-over to the I/O thread (a simulator's tick); returns, in order,
    /// whether each one was handed to libcoap.
    public func sendNotifications(_ batch: [CoAPOutgoingNotification]) async -> [Bool] {
        guard !batch.isEmpty else { return [] }
        return await withCheckedContinuation { (continuation: CheckedContinuation<[Bool], Never>) in
            let accepted = loop.submit { loop in
                continuation.resume(returning: batch.map { item in
                    (try? loop.sendNotification(
                        item.response, token: item.token, session: item.session.rawValue,
                        confirmable: item.confirmable)) != nil
                })
            }
            if !accepted { continuation.resume(returning: batch.map { _ in false }) }
        }
    }

    /// Keeps `session` alive (and its NAT binding usable) until `release(_:)`, e.g. while a client is registered.
    public func retain(_ session: CoAPSessionID) {
        _ = loop.submit { $0.retain(session.rawValue) }
    }

    /// Drops the hold taken by `retain(_:)` (or closes a client session opened by `connect`).
    public func release(_ session: CoAPSessionID) {
        _ = loop.submit { $0.release(session.rawValue) }
    }
}
