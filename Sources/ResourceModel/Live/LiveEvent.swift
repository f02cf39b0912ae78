import Foundation
import LwM2M

/// Something that happened to an endpoint, as the live stream (`/api/v1/stream`, `/api/v1/ws`) shows it.
public struct LiveEvent: Sendable, Equatable {
    /// The event names of the stream.
    public enum Name: String, Sendable, Equatable, CaseIterable {
        /// An endpoint registered.
        case registration = "REGISTRATION"
        /// An endpoint sent a registration update.
        case updated = "UPDATED"
        /// An endpoint de-registered or its registration expired.
        case deregistration = "DEREGISTRATION"
        /// A queue-mode endpoint went to sleep.
        case sleeping = "SLEEPING"
        /// A queue-mode endpoint woke up.
        case awake = "AWAKE"
        /// A notification of an observation was stored.
        case notification = "NOTIFICATION"
        /// A Send was stored.
        case send = "SEND"
        /// An event rule matched values of one report.
        case event = "EVENT"
        /// A queued operation changed status.
        case operation = "OPERATION"
        /// A firmware update changed state (one event per transition).
        case firmware = "FIRMWARE"
        /// A firmware campaign changed status or counts.
        case campaign = "CAMPAIGN"
    }

    /// What the event carries.
    public enum Payload: Sendable, Equatable {
        /// The registration after the change; `reason` says why a de-registration happened (`deregistered`,
        /// `expired`), `nil` otherwise.
        case registration(Registration, reason: String?)
        /// Nothing beyond name, endpoint and time (SLEEPING, AWAKE).
        case presence
        /// The values of a notification (with its observation id) or a Send.
        case values(observationID: String?, values: [ReportedValue])
        /// An event of type `type` (the rule name) with the row id `eventID` and its values.
        case event(type: String, eventID: Int64, values: [ReportedValue])
        /// An operation after a status change, with the note of the transition.
        case operation(EndpointOperation, note: String?)
        /// What a module publishes (FIRMWARE, CAMPAIGN): a value the stream encodes under `content.key`.
        case content(any LiveEventContent)

        public static func == (lhs: Payload, rhs: Payload) -> Bool {
            switch (lhs, rhs) {
            case (.registration(let a, let x), .registration(let b, let y)): a == b && x == y
            case (.presence, .presence): true
            case (.values(let a, let x), .values(let b, let y)): a == b && x == y
            case (.event(let a, let x, let m), .event(let b, let y, let n)): a == b && x == y && m == n
            case (.operation(let a, let x), .operation(let b, let y)): a == b && x == y
            case (.content(let a), .content(let b)): a.isEqual(to: b)
            default: false
            }
        }
    }

    /// The event name.
    public var name: Name
    /// The endpoint client name.
    public var endpoint: String
    /// When it happened (for values: when the server received them).
    public var time: Date
    /// The content.
    public var payload: Payload

    /// Creates an event.
    public init(name: Name, endpoint: String, time: Date, payload: Payload) {
        self.name = name
        self.endpoint = endpoint
        self.time = time
        self.payload = payload
    }

    /// The event of a registration change at `now` (used as the time of de-registrations and expiries).
    public init(_ event: RegistrationEvent, at now: Date) {
        switch event {
        case .registered(let registration, replaced: _):
            self.init(
                name: .registration, endpoint: registration.endpoint, time: registration.lastUpdate,
                payload: .registration(registration, reason: nil))
        case .updated(let registration):
            self.init(
                name: .updated, endpoint: registration.endpoint, time: registration.lastUpdate,
                payload: .registration(registration, reason: nil))
        case .deregistered(let registration):
            self.init(
                name: .deregistration, endpoint: registration.endpoint, time: now,
                payload: .registration(registration, reason: "deregistered"))
        case .expired(let registration):
            self.init(
                name: .deregistration, endpoint: registration.endpoint, time: now,
                payload: .registration(registration, reason: "expired"))
        }
    }
}

/// A module's value on the live stream (the firmware module's updates and campaigns): encoded as the JSON member
/// `key` of the event, by the stream's encoder, once per event.
public protocol LiveEventContent: Sendable, Encodable {
    /// The member name, `"update"`.
    var key: String { get }
    /// Whether `other` is the same value (for `LiveEvent`'s equality).
    func isEqual(to other: any LiveEventContent) -> Bool
}

extension LiveEventContent where Self: Equatable {
    public func isEqual(to other: any LiveEventContent) -> Bool {
        (other as? Self) == self
    }
}
