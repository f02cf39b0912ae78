import Foundation

/// How simulated devices register and answer the server's requests: queue mode and its awake window, a delay
/// before each answer, and the log of the requests they handled.
struct AnsweringOptions: Sendable {
    /// `--queue-mode`: register in queue mode (`b=UQ` for LwM2M 1.0, `b=U&Q` for 1.1/1.2) and hear the server only
    /// within the awake window after each message sent.
    var queueMode = false
    /// `--awake-window`: seconds the receiver stays on after each message sent.
    var awakeWindow: TimeInterval = 93
    /// `--response-delay-ms`: how long a device holds each answer (nil: none).
    var responseDelay: Duration?
    /// `--request-log`: where every handled (and dropped) server request is written.
    var requestLog: RequestLog?

    /// Answers bigger than this go at once: a held answer is sent as one separate-response datagram, without the
    /// block-wise transfer (RFC 7959) libcoap does for piggybacked ones above the CoAP module's 1024-byte threshold.
    static let largestHeldPayload = 1024
}
