import Foundation

/// One change an event made to an operation: the operation afterwards and the transitions recorded.
public struct OperationChange: Sendable, Equatable {
    /// The operation after the change.
    public var operation: EndpointOperation
    /// The transitions the change recorded, in order (empty when the event did not apply).
    public var transitions: [OperationStateMachine.Transition]
    /// What the state machine asked for.
    public var action: OperationStateMachine.Action
}
