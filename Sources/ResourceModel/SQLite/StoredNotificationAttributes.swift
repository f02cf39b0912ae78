import LwM2M

/// The stored JSON form of notification attributes (`{"pmin":1,"pmax":10}`); the shape belongs to the
/// `observation` and `observation_profile` tables, not to `NotificationAttributes`' own coding.
public struct StoredNotificationAttributes: Codable, Sendable, Equatable {
    /// `pmin`, seconds.
    public var pmin: Int?
    /// `pmax`, seconds.
    public var pmax: Int?
    /// `gt`.
    public var gt: Double?
    /// `lt`.
    public var lt: Double?
    /// `st`.
    public var st: Double?
    /// `epmin`, seconds.
    public var epmin: Int?
    /// `epmax`, seconds.
    public var epmax: Int?

    /// The stored form of `attributes` (attributes to unset are not stored).
    public init(_ attributes: NotificationAttributes) {
        pmin = attributes.pmin
        pmax = attributes.pmax
        gt = attributes.gt
        lt = attributes.lt
        st = attributes.st
        epmin = attributes.epmin
        epmax = attributes.epmax
    }

    /// The domain attributes.
    public var attributes: NotificationAttributes {
        NotificationAttributes(pmin: pmin, pmax: pmax, gt: gt, lt: lt, st: st, epmin: epmin, epmax: epmax)
    }
}
