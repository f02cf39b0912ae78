import LwM2M

/// Notification attributes as JSON: `{"pmin":1,"pmax":10}` (absent attributes omitted).
public struct AttributesDTO: Sendable, Equatable, Encodable {
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

    /// The JSON form of `attributes`.
    public init(_ attributes: NotificationAttributes) {
        pmin = attributes.pmin
        pmax = attributes.pmax
        gt = attributes.gt
        lt = attributes.lt
        st = attributes.st
        epmin = attributes.epmin
        epmax = attributes.epmax
    }
}
