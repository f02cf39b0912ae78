/// A SenML pack: an ordered list of records (RFC 8428 §4), the wire model shared by SenML JSON (110) and
/// SenML CBOR (112). `resolved()` applies base fields; `SenMLNodeMapper` maps resolved records to LwM2M nodes.
public struct SenMLPack: Sendable, Hashable {
    /// The records in document order.
    public var records: [SenMLRecord]

    /// Creates a pack.
    public init(records: [SenMLRecord]) {
        self.records = records
    }

    /// The SenML version this server reads (RFC 8428 §4.4 and its IANA registration: 10).
    public static let supportedVersion: Int64 = 10

    /// `version` from a `bver` field when it is one this server reads (1 to 10); a higher one must not be
    /// processed (RFC 8428 §4.4: "higher than the highest version supported ... MUST NOT process the Pack"),
    /// and versions are positive.
    static func checkedVersion(_ version: Int64, record index: Int, format: String) throws(LwM2MCodecError) -> Int64 {
        guard (1...supportedVersion).contains(version) else {
            throw LwM2MCodecError(
                .malformed,
                "SenML \(format) record \(index): 'bver' \(version) is not a SenML version this server reads (1 to \(supportedVersion))")
        }
        return version
    }

    /// A record after base-field resolution (RFC 8428 §4.6): full name, absolute time, value plus base value.
    public struct ResolvedRecord: Sendable, Hashable {
        /// `bn + n`.
        public var name: String
        /// `bt + t`, or `nil` when neither was given (for this record or, for `bt`, an earlier one).
        public var time: Double?
        /// `bv + v` when `v` was given.
        public var value: WireNumber?
        /// `vs`.
        public var stringValue: String?
        /// `vb`.
        public var booleanValue: Bool?
        /// `vd`.
        public var dataValue: [UInt8]?
        /// `vlo`.
        public var objectLinkValue: String?
    }

    /// Resolves base name, base time and base value over the records (RFC 8428 §4.6). Throws `malformed` when a
    /// record has no name at all or a sum of integers overflows.
    public func resolved() throws(LwM2MCodecError) -> [ResolvedRecord] {
        var baseName = ""
        var baseTime: Double?
        var baseValue: WireNumber?
        var out: [ResolvedRecord] = []
        for (index, record) in records.enumerated() {
            if let name = record.baseName { baseName = name }
            if let time = record.baseTime { baseTime = time.doubleValue }
            if let value = record.baseValue { baseValue = value }
            let name = baseName + (record.name ?? "")
            guard !name.isEmpty else {
                throw LwM2MCodecError(.malformed, "SenML record \(index) has no name")
            }
            var time: Double?
            if baseTime != nil || record.time != nil {
                time = (baseTime ?? 0) + (record.time?.doubleValue ?? 0)
            }
            var value = record.value
            if let base = baseValue, let own = record.value { value = try Self.sum(base, own, record: index) }
            out.append(ResolvedRecord(
                name: name, time: time, value: value, stringValue: record.stringValue,
                booleanValue: record.booleanValue, dataValue: record.dataValue, objectLinkValue: record.objectLinkValue))
        }
        return out
    }

    private static func sum(_ lhs: WireNumber, _ rhs: WireNumber, record: Int) throws(LwM2MCodecError) -> WireNumber {
        if case .integer(let a) = lhs, case .integer(let b) = rhs {
            let (result, overflow) = a.addingReportingOverflow(b)
            guard !overflow else { throw LwM2MCodecError(.malformed, "SenML record \(record): bv + v overflows") }
            return .integer(result)
        }
        return .float(lhs.doubleValue + rhs.doubleValue)
    }
}
