/// Which endpoints a page of `EndpointStore.endpointPage(_:after:limit:)` holds. Every condition given must hold.
public struct EndpointFilter: Sendable, Equatable {
    /// Only online (`true`) or offline (`false`) endpoints.
    public var online: Bool?
    /// Only endpoints whose name contains this text, compared in lowercase (Unicode, as Swift lowercases).
    public var nameContains: String?
    /// Only endpoints that registered this object (or an instance of it).
    public var objectID: UInt16?
    /// Only endpoints with one of these names (the ones in a presence state the dispatcher knows in memory).
    public var names: Set<String>?
    /// No endpoint with one of these names.
    public var excludedNames: Set<String>?

    /// A filter; without arguments every endpoint passes.
    public init(
        online: Bool? = nil, nameContains: String? = nil, objectID: UInt16? = nil, names: Set<String>? = nil,
        excludedNames: Set<String>? = nil
    ) {
        self.online = online
        self.nameContains = nameContains
        self.objectID = objectID
        self.names = names
        self.excludedNames = excludedNames
    }

    /// Whether `endpoint` passes: the reference semantics every store must match.
    public func matches(_ endpoint: StoredEndpoint) -> Bool {
        if let online, endpoint.online != online { return false }
        if let nameContains, !nameContains.isEmpty, !endpoint.name.lowercased().contains(nameContains.lowercased()) {
            return false
        }
        if let objectID, !endpoint.objectLinks.contains(where: { $0.objectID == objectID }) { return false }
        if let names, !names.contains(endpoint.name) { return false }
        if let excludedNames, excludedNames.contains(endpoint.name) { return false }
        return true
    }
}

/// One page of endpoints sorted by name, and how many endpoints the filter lets through over all pages.
public struct EndpointPage: Sendable, Equatable {
    /// The endpoints of this page, sorted by name.
    public var endpoints: [StoredEndpoint]
    /// The number of matching endpoints over all pages.
    public var total: Int

    /// A page.
    public init(endpoints: [StoredEndpoint], total: Int) {
        self.endpoints = endpoints
        self.total = total
    }
}

extension EndpointStore {
    /// Reads every endpoint and filters in memory: correct for any store, linear in the number of endpoints.
    /// `AppDatabase` answers in SQL instead.
    public func endpointPage(_ filter: EndpointFilter, after: String?, limit: Int?) async throws -> EndpointPage {
        let matching = try await endpoints(online: filter.online, namePrefix: nil, limit: nil, offset: 0)
            .filter(filter.matches)
        var page = matching[...]
        if let after { page = page.drop { $0.name <= after } }
        if let limit { page = page.prefix(max(limit, 0)) }
        return EndpointPage(endpoints: Array(page), total: matching.count)
    }
}
