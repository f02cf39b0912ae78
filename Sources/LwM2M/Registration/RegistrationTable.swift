import CoAP
import Foundation

/// The in-memory registry of live registrations: pure state, every time passed in (so tests inject a clock).
///
/// It is the authority the CoAP handlers consult synchronously; persistence follows from the events it
/// returns. Keyed by registration id and by endpoint name: one live registration per endpoint name.
public struct RegistrationTable: Sendable {
    /// A live registration and the CoAP session the server reaches the client over.
    public struct Entry: Sendable, Equatable {
        /// The registration.
        public var registration: Registration
        /// The session of the last Register/Update, `nil` for a registration restored after a restart.
        public var session: CoAPSessionID?
    }

    private var entries: [String: Entry] = [:] {
        didSet { sessionIndexIsStale = true }
    }
    private var idByEndpoint: [String: String] = [:]
    private var idBySession: [CoAPSessionID: String] = [:]
    private var sessionIndexIsStale = false

    /// Creates an empty table.
    public init() {}

    /// The number of live registrations.
    public var count: Int { entries.count }

    /// The live registration of `endpoint`, if any.
    public func entry(endpoint: String) -> Entry? {
        idByEndpoint[endpoint].flatMap { entries[$0] }
    }

    /// The live registration with id `id`, if any.
    public func entry(id: String) -> Entry? { entries[id] }

    /// All live registrations.
    public var all: [Entry] { Array(entries.values) }

    /// The live registration whose last Register/Update came over `session` (for Send, LwM2M 1.1 Core §6.4.6).
    public mutating func entry(session: CoAPSessionID) -> Entry? {
        if sessionIndexIsStale {
            idBySession = [:]
            for (id, entry) in entries { if let session = entry.session { idBySession[session] = id } }
            sessionIndexIsStale = false
        }
        return idBySession[session].flatMap { entries[$0] }
    }

    /// Puts back a registration loaded from storage after a restart (no session until the client talks again).
    public mutating func restore(_ registration: Registration) {
        if let old = idByEndpoint[registration.endpoint] { entries[old] = nil }
        entries[registration.id] = Entry(registration: registration, session: nil)
        idByEndpoint[registration.endpoint] = registration.id
    }

    /// Registers a client (LwM2M 1.1 Core §6.2.1); a live registration of the same endpoint name is replaced.
    public mutating func register(
        _ request: RegisterRequest, id: String, address: String, session: CoAPSessionID?,
        transport: RegistrationTransport = .udp, now: Date
    ) -> (event: RegistrationEvent, replaced: Entry?) {
        var replaced: Entry?
        if let oldID = idByEndpoint[request.endpoint] {
            replaced = entries.removeValue(forKey: oldID)
        }
        let registration = Registration(
            id: id, endpoint: request.endpoint, lwm2mVersion: request.version, binding: request.binding,
            queueMode: request.queueMode, lifetime: request.lifetime, smsNumber: request.smsNumber,
            rootPath: request.links.rootPath, objectLinks: request.links.objectLinks,
            supportedContentFormats: request.links.contentFormats, address: address, transport: transport,
            registeredAt: now,
            lastUpdate: now)
        entries[id] = Entry(registration: registration, session: session)
        idByEndpoint[request.endpoint] = id
        return (.registered(registration, replaced: replaced?.registration), replaced)
    }

    /// Applies an Update (LwM2M 1.1 Core §6.2.2); returns the event and the session it replaced, if different.
    public mutating func update(
        id: String, _ request: UpdateRequest, address: String, session: CoAPSessionID?,
        transport: RegistrationTransport = .udp, now: Date
    ) throws(RegistrationError) -> (event: RegistrationEvent, previousSession: CoAPSessionID?) {
        guard var entry = entries[id] else {
            throw RegistrationError(.unknownRegistration, "no registration '\(id)'")
        }
        if entry.registration.isExpired(at: now) {
            // Expired but not swept yet: it is gone for the client as well (LwM2M 1.1 Core §6.2.2).
            entries[id] = nil
            idByEndpoint[entry.registration.endpoint] = nil
            throw RegistrationError(.unknownRegistration, "registration '\(id)' expired")
        }
        var registration = entry.registration
        if let lifetime = request.lifetime { registration.lifetime = lifetime }
        if let binding = request.binding {
            registration.binding = registration.lwm2mVersion == .v1_0 ? binding : binding.replacingOccurrences(of: "Q", with: "")
            if registration.lwm2mVersion == .v1_0 { registration.queueMode = binding.contains("Q") }
        }
        if let sms = request.smsNumber { registration.smsNumber = sms }
        if let links = request.links {
            registration.objectLinks = links.objectLinks
            registration.rootPath = links.rootPath
            if !links.contentFormats.isEmpty { registration.supportedContentFormats = links.contentFormats }
        }
        registration.address = address
        registration.transport = transport
        registration.lastUpdate = now
        let previous = entry.session
        entry.registration = registration
        entry.session = session ?? previous
        entries[id] = entry
        return (.updated(registration), previous == entry.session ? nil : previous)
    }

    /// Gives a registration without a session (restored after a restart) the session `session`; returns the
    /// session the registration now has (an earlier one wins), or `nil` when the registration is gone.
    public mutating func attach(session: CoAPSessionID, to id: String) -> CoAPSessionID? {
        guard var entry = entries[id] else { return nil }
        if let existing = entry.session { return existing }
        entry.session = session
        entries[id] = entry
        return session
    }

    /// Removes a registration on De-register (LwM2M 1.1 Core §6.2.3).
    public mutating func deregister(id: String) throws(RegistrationError) -> (event: RegistrationEvent, entry: Entry) {
        guard let entry = entries.removeValue(forKey: id) else {
            throw RegistrationError(.unknownRegistration, "no registration '\(id)'")
        }
        idByEndpoint[entry.registration.endpoint] = nil
        return (.deregistered(entry.registration), entry)
    }

    /// Removes and returns every registration whose lifetime ran out before `now` (LwM2M 1.1 Core §6.2.2).
    public mutating func removeExpired(now: Date) -> [Entry] {
        let expired = entries.values.filter { $0.registration.isExpired(at: now) }
        for entry in expired {
            entries[entry.registration.id] = nil
            idByEndpoint[entry.registration.endpoint] = nil
        }
        return expired.sorted { $0.registration.endpoint < $1.registration.endpoint }
    }
}
