/// One SenML record (RFC 8428 §4) with the fields LwM2M uses, plus `vlo` (LwM2M 1.1 Core §7.4.5).
/// Every field is optional; base fields apply to this and the following records.
public struct SenMLRecord: Sendable, Hashable {
    /// `bn`: base name, prefixed to this and later names.
    public var baseName: String?
    /// `bt`: base time, added to this and later times.
    public var baseTime: WireNumber?
    /// `bu`: base unit.
    public var baseUnit: String?
    /// `bv`: base value, added to this and later numeric values.
    public var baseValue: WireNumber?
    /// `bver`: SenML version.
    public var baseVersion: Int64?
    /// `n`: name.
    public var name: String?
    /// `u`: unit.
    public var unit: String?
    /// `t`: time.
    public var time: WireNumber?
    /// `v`: numeric value.
    public var value: WireNumber?
    /// `vs`: string value.
    public var stringValue: String?
    /// `vb`: boolean value.
    public var booleanValue: Bool?
    /// `vd`: data value (base64url without padding in JSON, a byte string in CBOR).
    public var dataValue: [UInt8]?
    /// `vlo`: object link value `"o:i"` (LwM2M).
    public var objectLinkValue: String?

    /// Creates a record.
    public init(
        baseName: String? = nil, baseTime: WireNumber? = nil, baseUnit: String? = nil, baseValue: WireNumber? = nil,
        baseVersion: Int64? = nil, name: String? = nil, unit: String? = nil, time: WireNumber? = nil,
        value: WireNumber? = nil, stringValue: String? = nil, booleanValue: Bool? = nil, dataValue: [UInt8]? = nil,
        objectLinkValue: String? = nil
    ) {
        self.baseName = baseName
        self.baseTime = baseTime
        self.baseUnit = baseUnit
        self.baseValue = baseValue
        self.baseVersion = baseVersion
        self.name = name
        self.unit = unit
        self.time = time
        self.value = value
        self.stringValue = stringValue
        self.booleanValue = booleanValue
        self.dataValue = dataValue
        self.objectLinkValue = objectLinkValue
    }
}
