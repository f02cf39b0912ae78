import LwM2M

/// The stored JSON form of notification attributes (`{"pmin":1,"pmax":10}`); the shape belongs to the
/// `observation` and `observation_profile` tables, not to `NotificationAttributes`' own coding.
struct StoredNotificationAttributes: Codable, Sendable, Equatable {
    /// `pmin`, seconds.
    var pmin: Int?
    /// `pmax`, seconds.
    var pmax: Int?
    /// `gt`.
    var gt: Double?
    /// `lt`.
    var lt: Double?
    /// `st`.
    var st: Double?
    /// `epmin`, seconds.
    var epmin: Int?
    /// `epmax`, seconds.
    var epmax: Int?

    /// The stored form of `attributes` (attributes to unset are not stored).
    init(_ attributes: NotificationAttributes) {
        pmin = attributes.pmin
        pmax = attributes.pmax
        gt = attributes.gt
        lt = attributes.lt
        st = attributes.st
        epmin = attributes.epmin
        epmax = attributes.epmax
    }

    /// The domain attributes.
    var attributes: NotificationAttributes {
        NotificationAttributes(pmin: pmin, pmax: pmax, gt: gt, lt: lt, st: st, epmin: epmin, epmax: epmax)
    }
}
