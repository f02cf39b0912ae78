import Foundation
import LwM2M
import ResourceModel

/// One live event as JSON, the `data:` of an SSE event and the text of a WebSocket message:
///
/// - `{"event":"NOTIFICATION","endpoint":"sim-1","time":"..","observationId":"..","values":[{"path","timestamp","type","value"}]}`
/// - `{"event":"SEND","endpoint":..,"time":..,"values":[...]}`
/// - `{"event":"EVENT","endpoint":..,"time":..,"eventType":"environment","eventId":7,"values":[...]}`
/// - `{"event":"REGISTRATION"|"UPDATED"|"DEREGISTRATION","endpoint":..,"time":..,"registration":{...},"reason":"expired"}`
/// - `{"event":"SLEEPING"|"AWAKE","endpoint":..,"time":..}`
/// - `{"event":"OPERATION","endpoint":..,"time":..,"operation":{"id":..,"kind":..,"status":..,...},"note":".."}`
public struct LiveEventDTO: Sendable, Equatable, Encodable {
    /// The event name.
    public var event: String
    /// The endpoint name.
    public var endpoint: String
    /// When it happened.
    public var time: Date
    /// The observation a notification belongs to.
    public var observationId: String?
    /// The rule name of an EVENT.
    public var eventType: String?
    /// The stored event id of an EVENT.
    public var eventId: Int64?
    /// The values of NOTIFICATION, SEND and EVENT.
    public var values: [TimedValueDTO]?
    /// The registration of REGISTRATION, UPDATED and DEREGISTRATION, as `GET /api/v1/endpoints/{name}` shows
    /// the endpoint (without `presence`; `online` false after a DEREGISTRATION).
    public var registration: EndpointDTO?
    /// Why a DEREGISTRATION happened: `deregistered` or `expired`.
    public var reason: String?
    /// The operation of an OPERATION event, after the change (`OperationDTO`, without history).
    var operation: OperationDTO?
    /// Why an OPERATION event happened (the transition's note).
    var note: String?

    /// The JSON form of `event`.
    public init(_ event: LiveEvent) {
        self.event = event.name.rawValue
        endpoint = event.endpoint
        time = event.time
        switch event.payload {
        case .registration(let registration, let reason):
            self.registration = EndpointDTO(StoredEndpoint(registration, online: reason == nil))
            self.reason = reason
        case .presence:
            break
        case .values(let observationID, let values):
            observationId = observationID
            self.values = values.map { TimedValueDTO($0, receivedAt: event.time) }
        case .event(let type, let id, let values):
            eventType = type
            eventId = id
            self.values = values.map { TimedValueDTO($0, receivedAt: event.time) }
        case .operation(let operation, let note):
            self.operation = OperationDTO(operation)
            self.note = note
        }
    }

    /// The compact JSON text (sorted keys, no newlines: one SSE `data:` line).
    public func jsonText() throws -> String {
        String(decoding: try APIJSON.encoder().encode(self), as: UTF8.self)
    }

    /// The JSON text of `event`, or `nil` if it cannot be encoded: the encoder of the live stream's hub.
    @Sendable public static func text(_ event: LiveEvent) -> String? {
        try? LiveEventDTO(event).jsonText()
    }
}

extension LiveEventHub {
    /// A hub whose text subscribers (the SSE and WebSocket clients) get each event's JSON, encoded once per event.
    public static func forLiveStream(bufferSize: Int = LiveEventHub.defaultBufferSize) -> LiveEventHub {
        LiveEventHub(bufferSize: bufferSize, encoder: LiveEventDTO.text)
    }
}
