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
/// - `{"event":"FIRMWARE","endpoint":..,"time":..,"update":{...}}` and `{"event":"CAMPAIGN","endpoint":"","time":..,"campaign":{...}}`
public struct LiveEventDTO: Sendable, Encodable {
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
    /// A module's value (FIRMWARE: `update`, CAMPAIGN: `campaign`), under its own key.
    var content: (any LiveEventContent)?

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
        case .content(let content):
            self.content = content
        }
    }

    private enum CodingKeys: String, CodingKey {
        case event, endpoint, time, observationId, eventType, eventId, values, registration, reason, operation, note
    }

    private struct ContentKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(event, forKey: .event)
        try container.encode(endpoint, forKey: .endpoint)
        try container.encode(time, forKey: .time)
        try container.encodeIfPresent(observationId, forKey: .observationId)
        try container.encodeIfPresent(eventType, forKey: .eventType)
        try container.encodeIfPresent(eventId, forKey: .eventId)
        try container.encodeIfPresent(values, forKey: .values)
        try container.encodeIfPresent(registration, forKey: .registration)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encodeIfPresent(operation, forKey: .operation)
        try container.encodeIfPresent(note, forKey: .note)
        if let content {
            var members = encoder.container(keyedBy: ContentKey.self)
            try members.encode(content, forKey: ContentKey(stringValue: content.key))
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
