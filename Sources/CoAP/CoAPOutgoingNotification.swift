/// One notification to send with `CoAPEndpoint.sendNotifications` (RFC 7641 §4.2).
public struct CoAPOutgoingNotification: Sendable {
    /// The 2.05 response with its Observe sequence number.
    public var response: CoAPResponse
    /// The observer's token.
    public var token: [UInt8]
    /// The session the observation arrived on.
    public var session: CoAPSessionID
    /// Whether to send it confirmable.
    public var confirmable: Bool

    /// Creates a notification.
    public init(response: CoAPResponse, token: [UInt8], session: CoAPSessionID, confirmable: Bool) {
        self.response = response
        self.token = token
        self.session = session
        self.confirmable = confirmable
    }
}
