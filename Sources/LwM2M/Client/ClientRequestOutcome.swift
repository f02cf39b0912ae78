import CoAP

/// What `ClientObjectTree.process(_:now:)` did with one request: the CoAP answer, and what changed in the tree
/// that the client around it may have to act on (a registration Update, a reboot, a sensor reset).
public struct ClientRequestOutcome: Sendable, Equatable {
    /// The response to send.
    public var response: CoAPResponse
    /// What the operation changed or triggered; `nil` for reads and failures.
    public var event: ClientTreeEvent?

    /// Creates an outcome.
    public init(response: CoAPResponse, event: ClientTreeEvent? = nil) {
        self.response = response
        self.event = event
    }

    /// Whether the set of object instances changed, so the client must send a registration Update with its new
    /// links (LwM2M 1.1 Core §6.2.2).
    public var changesRegistrationLinks: Bool {
        switch event {
        case .instanceCreated, .instanceDeleted: true
        case .executed, .written, nil: false
        }
    }
}
