import CoAP

/// A notification a client is to send (RFC 7641 §4.2, LwM2M 1.1 Core §6.4.2): the observer's session and token,
/// the 2.05 response with its Observe value (or a final 4.04 without one when the observed node is gone), and the
/// values it carries.
public struct ClientNotification: Sendable, Equatable {
    /// The session the observation arrived on.
    public var session: CoAPSessionID
    /// The observation's token.
    public var token: [UInt8]
    /// The notification itself.
    public var response: CoAPResponse
    /// Which notification of the observation this is: 1 for the first after the initial response.
    public var count: Int
    /// The observed paths.
    public var paths: [LwM2MPath]
    /// The values in the payload, in path order (none for an error notification).
    public var values: [ClientReportedValue]

    /// Creates a notification.
    public init(session: CoAPSessionID, token: [UInt8], response: CoAPResponse, count: Int, paths: [LwM2MPath],
                values: [ClientReportedValue]) {
        self.session = session
        self.token = token
        self.response = response
        self.count = count
        self.paths = paths
        self.values = values
    }

    /// Whether this notification ends the observation (a non-2.05 code, RFC 7641 §4.2).
    public var isFinal: Bool { response.code != .content }
}
