import LwM2M

/// Observations to establish when an endpoint registers: for endpoints whose name matches `endpointPattern`
/// (any name when `nil`) and that announce object `objectID` (any when `nil`), observe `paths` after writing
/// `attributes`.
public struct ObservationProfile: Sendable, Equatable {
    /// What a matching profile asks the LwM2M server to observe.
    public struct Match: Sendable, Equatable {
        /// The profile's name.
        public var profile: String
        /// The paths to observe (one observation per path).
        public var paths: [LwM2MPath]
        /// The attributes to write first, if any.
        public var attributes: NotificationAttributes?

        /// Creates a match.
        public init(profile: String, paths: [LwM2MPath], attributes: NotificationAttributes?) {
            self.profile = profile
            self.paths = paths
            self.attributes = attributes
        }
    }

    /// The unique name.
    public var name: String
    /// The object the endpoint must announce, or `nil`.
    public var objectID: UInt16?
    /// The endpoint name glob (`sim-*`), or `nil`.
    public var endpointPattern: GlobPattern?
    /// The paths to observe.
    public var paths: [LwM2MPath]
    /// The attributes to write before observing.
    public var attributes: NotificationAttributes?

    /// Creates a profile.
    public init(
        name: String, objectID: UInt16? = nil, endpointPattern: GlobPattern? = nil, paths: [LwM2MPath],
        attributes: NotificationAttributes? = nil
    ) {
        self.name = name
        self.objectID = objectID
        self.endpointPattern = endpointPattern
        self.paths = paths
        self.attributes = attributes
    }

    /// Whether the profile applies to `endpoint` announcing `objectIDs`.
    public func applies(to endpoint: String, objectIDs: [UInt16]) -> Bool {
        if let endpointPattern, !endpointPattern.matches(endpoint) { return false }
        if let objectID, !objectIDs.contains(objectID) { return false }
        return true
    }

    /// What `profiles` ask for `endpoint` announcing `objectIDs`, in the profiles' order (a pure function; the
    /// LwM2M server calls it on registration with `ObservationProfileStore.observationProfiles()`).
    public static func profiles(_ profiles: [ObservationProfile], matching endpoint: String, objectIDs: [UInt16])
        -> [Match]
    {
        profiles.filter { $0.applies(to: endpoint, objectIDs: objectIDs) }.map {
            Match(profile: $0.name, paths: $0.paths, attributes: $0.attributes)
        }
    }
}
