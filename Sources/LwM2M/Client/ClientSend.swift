import CoAP
import Foundation

/// A Send a client is about to make (LwM2M 1.1 Core §6.4.6): the `POST /dp` request with its SenML payload, and the
/// values it carries with the measurement time written into it.
public struct ClientSend: Sendable, Equatable {
    /// The request: POST `/dp`, confirmable, Content-Format SenML JSON or SenML CBOR.
    public var request: CoAPRequest
    /// The values in the payload, in path order, each with the time the payload gives it.
    public var values: [ClientReportedValue]

    /// Creates a Send.
    public init(request: CoAPRequest, values: [ClientReportedValue]) {
        self.request = request
        self.values = values
    }
}
