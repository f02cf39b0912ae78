/// Notification attributes for Write-Attributes (LwM2M 1.1 Core §5.1.2); `nil` leaves one unchanged.
///
/// The seven attributes are described once, by `Name`: every parser (the REST query and body, the client's
/// Uri-Query) and every form (the Uri-Query items, the JSON of the REST API and of the store) goes through it.
/// The JSON form is `{"pmin":1,"gt":20.5}`, absent attributes omitted, plus `"unset":["lt"]` when there are
/// attributes to remove.
public struct NotificationAttributes: Sendable, Hashable {
    /// Minimum period in seconds.
    public var pmin: Int?
    /// Maximum period in seconds.
    public var pmax: Int?
    /// Greater-than threshold.
    public var gt: Double?
    /// Less-than threshold.
    public var lt: Double?
    /// Step.
    public var st: Double?
    /// Minimum evaluation period in seconds (LwM2M 1.1).
    public var epmin: Int?
    /// Maximum evaluation period in seconds (LwM2M 1.1).
    public var epmax: Int?
    /// Attributes to remove (sent without a value, e.g. `pmin`).
    public var unset: [String]

    /// Creates a set of attributes.
    public init(pmin: Int? = nil, pmax: Int? = nil, gt: Double? = nil, lt: Double? = nil, st: Double? = nil,
                epmin: Int? = nil, epmax: Int? = nil, unset: [String] = []) {
        self.pmin = pmin; self.pmax = pmax; self.gt = gt; self.lt = lt; self.st = st
        self.epmin = epmin; self.epmax = epmax; self.unset = unset
    }

    /// One attribute: its name on the wire, and what its value must be.
    public enum Name: String, CaseIterable, Sendable, CodingKey {
        case pmin, pmax, gt, lt, st, epmin, epmax

        /// Periods are whole seconds ≥ 0; `st` is a number ≥ 0; `gt` and `lt` any finite number.
        public var isPeriod: Bool { self == .pmin || self == .pmax || self == .epmin || self == .epmax }

        /// What a value must be, for error messages.
        public var expectation: String {
            isPeriod ? "whole seconds ≥ 0" : self == .st ? "a number ≥ 0" : "a number"
        }

        /// Whether `value` is a value of this attribute.
        public func accepts(_ value: Double) -> Bool {
            guard value.isFinite else { return false }
            if isPeriod { return value >= 0 && value == value.rounded() && value <= Double(Int32.max) }
            return self != .st || value >= 0
        }

        private static let digits = Set("0123456789".utf8)
        private static let decimal = Set("0123456789+-.eE".utf8)

        /// The value of a Uri-Query or REST query item: digits for a period, a decimal number otherwise (at most
        /// 64 characters); `nil` when it is not one (`accepts` decides the range).
        public func parse(_ text: Substring) -> Double? {
            guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
            let allowed = isPeriod ? Self.digits : Self.decimal
            guard text.utf8.allSatisfy(allowed.contains), let value = Double(text), accepts(value) else { return nil }
            return value
        }
    }

    /// The attribute names LwM2M defines, in their order on the wire.
    public static let names = Name.allCases.map(\.rawValue)

    /// The value of one attribute as a number (periods as whole seconds); setting checks nothing, use
    /// `Name.accepts` first (a period is truncated to whole seconds).
    public subscript(name: Name) -> Double? {
        get {
            switch name {
            case .pmin: pmin.map(Double.init)
            case .pmax: pmax.map(Double.init)
            case .epmin: epmin.map(Double.init)
            case .epmax: epmax.map(Double.init)
            case .gt: gt
            case .lt: lt
            case .st: st
            }
        }
        set {
            let seconds = newValue.flatMap { Int(exactly: $0.rounded(.towardZero)) }
            switch name {
            case .pmin: pmin = seconds
            case .pmax: pmax = seconds
            case .epmin: epmin = seconds
            case .epmax: epmax = seconds
            case .gt: gt = newValue
            case .lt: lt = newValue
            case .st: st = newValue
            }
        }
    }

    /// Whether nothing is set or unset.
    public var isEmpty: Bool { queryItems.isEmpty }

    /// Why these attributes cannot go together, or `nil` when they can: LwM2M 1.1 Core §5.1.2 asks for
    /// `pmax` ≥ `pmin` and `epmax` > `epmin` when both are given. (Values already on the device are not known
    /// here; the device judges those.)
    public var conflict: String? {
        if let pmin, let pmax, pmin > pmax { return "pmin (\(pmin)) is greater than pmax (\(pmax))" }
        if let epmin, let epmax, epmin >= epmax { return "epmin (\(epmin)) is not less than epmax (\(epmax))" }
        return nil
    }

    /// The Uri-Query items (`pmin=10`, `gt=20.5`, bare `lt` to unset).
    public var queryItems: [String] {
        Name.allCases.compactMap { name in self[name].map { "\(name.rawValue)=\(Self.number($0))" } } + unset
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

extension NotificationAttributes: Codable {
    private enum Extra: String, CodingKey { case unset }

    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: Name.self)
        for name in Name.allCases {
            if name.isPeriod {
                self[name] = try container.decodeIfPresent(Int.self, forKey: name).map(Double.init)
            } else {
                self[name] = try container.decodeIfPresent(Double.self, forKey: name)
            }
        }
        unset = try decoder.container(keyedBy: Extra.self).decodeIfPresent([String].self, forKey: .unset) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Name.self)
        try container.encodeIfPresent(pmin, forKey: .pmin)
        try container.encodeIfPresent(pmax, forKey: .pmax)
        try container.encodeIfPresent(gt, forKey: .gt)
        try container.encodeIfPresent(lt, forKey: .lt)
        try container.encodeIfPresent(st, forKey: .st)
        try container.encodeIfPresent(epmin, forKey: .epmin)
        try container.encodeIfPresent(epmax, forKey: .epmax)
        if !unset.isEmpty {
            var extra = encoder.container(keyedBy: Extra.self)
            try extra.encode(unset, forKey: .unset)
        }
    }
}
