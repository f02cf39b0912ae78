import CoAP
import Foundation
import Synchronization

/// The live registrations and the observations made under them, owned together (Leshan's registration store
/// does the same): a registration that ends or is replaced takes its observations with it in the same step, so a
/// notification can never find an observation whose registration is gone.
public struct LiveClients: Sendable {
    /// The registrations.
    public var registrations = RegistrationTable()
    /// The observations, by token and by endpoint.
    public var observations = ObservationTable()

    /// Creates an empty value.
    public init() {}

    /// Registers (replacing a live registration of the same endpoint name); the observations made under any
    /// earlier registration of the endpoint are removed and returned, for the server to re-make.
    public mutating func register(
        _ request: RegisterRequest, id: String, address: String, session: CoAPSessionID?,
        transport: RegistrationTransport, now: Date
    ) -> (event: RegistrationEvent, replaced: RegistrationTable.Entry?, removed: [Observation]) {
        let (event, replaced) = registrations.register(
            request, id: id, address: address, session: session, transport: transport, now: now)
        let removed = removeObservations(endpoint: request.endpoint) { $0.registrationID != id }
        return (event, replaced, removed)
    }

    /// Applies an Update; a registration found expired (not swept yet) is removed with its observations.
    public mutating func update(
        id: String, _ request: UpdateRequest, address: String, session: CoAPSessionID?,
        transport: RegistrationTransport, now: Date
    ) throws(RegistrationError) -> (event: RegistrationEvent, previousSession: CoAPSessionID?) {
        let endpoint = registrations.entry(id: id)?.registration.endpoint
        do {
            return try registrations.update(
                id: id, request, address: address, session: session, transport: transport, now: now)
        } catch {
            if let endpoint, registrations.entry(endpoint: endpoint) == nil {
                removeObservations(endpoint: endpoint) { _ in true }
            }
            throw error
        }
    }

    /// De-registers, removing the registration's observations; returns them with the event.
    public mutating func deregister(id: String) throws(RegistrationError)
        -> (event: RegistrationEvent, entry: RegistrationTable.Entry, removed: [Observation])
    {
        let (event, entry) = try registrations.deregister(id: id)
        return (event, entry, removeObservations(endpoint: entry.registration.endpoint) { _ in true })
    }

    /// Removes the registrations whose lifetime ran out, each with its observations.
    public mutating func removeExpired(now: Date) -> [(entry: RegistrationTable.Entry, removed: [Observation])] {
        registrations.removeExpired(now: now).map { entry in
            (entry, removeObservations(endpoint: entry.registration.endpoint) { _ in true })
        }
    }

    /// Adds an observation, unless the registration it was made under is no longer the endpoint's live one
    /// (it ended, or the client registered anew, while the Observe was on its way); returns whether it was added.
    @discardableResult
    public mutating func addObservation(_ observation: Observation, heardAt: Date? = nil) -> Bool {
        guard registrations.entry(endpoint: observation.endpoint)?.registration.id == observation.registrationID
        else { return false }
        observations.add(observation, heardAt: heardAt)
        return true
    }

    /// Whether `observation` is still in the table (not cancelled, not removed with its registration).
    public func holds(_ observation: Observation) -> Bool {
        observations.observation(token: observation.token)?.id == observation.id
    }

    @discardableResult
    private mutating func removeObservations(endpoint: String, where condition: (Observation) -> Bool) -> [Observation] {
        let ids = Set(observations.observations(endpoint: endpoint).filter(condition).map(\.id))
        return ids.isEmpty ? [] : observations.remove(ids: ids)
    }
}

/// The one lock around `LiveClients`, shared by the registration registry (CoAP I/O thread), the report
/// receiver (I/O thread) and the server's device-management and observation code.
final class LiveClientsLock: Sendable {
    private let state = Mutex(LiveClients())

    func withLock<T: Sendable, E: Error>(_ body: (inout LiveClients) throws(E) -> T) throws(E) -> T {
        try state.withLock { (clients: inout LiveClients) throws(E) -> T in try body(&clients) }
    }
}
