/// The kernel's view of one listening socket of a `CoAPEndpoint`.
public struct CoAPSocketStatistics: Sendable, Equatable {
    /// Which socket: `coap` (UDP, RFC 7252) or `coaps` (DTLS, RFC 7252 §9.1).
    public var socket: String
    /// The port it is bound to.
    public var port: UInt16
    /// The effective `SO_RCVBUF` in bytes (as the kernel reports it, i.e. doubled).
    public var receiveBufferBytes: Int
    /// Bytes waiting in the receive queue.
    public var queuedBytes: Int
    /// Datagrams the kernel dropped because the receive buffer was full, since the socket was opened.
    public var drops: UInt64

    /// Creates a reading.
    public init(socket: String, port: UInt16, receiveBufferBytes: Int, queuedBytes: Int, drops: UInt64) {
        self.socket = socket
        self.port = port
        self.receiveBufferBytes = receiveBufferBytes
        self.queuedBytes = queuedBytes
        self.drops = drops
    }
}
