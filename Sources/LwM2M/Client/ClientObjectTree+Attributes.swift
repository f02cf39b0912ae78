import CoAP

extension ClientObjectTree {
    /// Write-Attributes (LwM2M 1.1 Core §6.3.4, attributes §5.1.2): PUT with `pmin`, `pmax`, `epmin`, `epmax`
    /// (integers ≥ 0), `gt`, `lt`, `st` (numbers; only on numeric resources) in Uri-Query, a bare name removing the
    /// attribute. The result must keep `lt < gt`, `lt + 2·st < gt` and `st ≥ 0`. 2.04; 4.00 for an unknown, repeated
    /// or invalid attribute; 4.04 for a missing path; 4.05 on `/`.
    mutating func writeAttributes(_ path: LwM2MPath, query: [String]) throws(ClientRequestFailure)
        -> ClientRequestOutcome
    {
        guard !path.isRoot else { throw .notAllowed("Write-Attributes does not apply to /") }
        try requireExisting(path)
        var merged = attributes[path] ?? NotificationAttributes()
        var seen: Set<String> = []
        var setsThresholds = false
        for item in query {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : nil
            guard NotificationAttributes.names.contains(name) else {
                throw .badRequest("unknown attribute '\(name.prefix(32))'")
            }
            guard seen.insert(name).inserted else { throw .badRequest("attribute '\(name)' given twice") }
            if ["gt", "lt", "st"].contains(name), value != nil { setsThresholds = true }
            try Self.assign(name, value, to: &merged)
        }
        if setsThresholds {
            let type = path.depth >= 3 ? model.resource(path.ids[0], path.ids[2])?.type : nil
            guard type == .integer || type == .unsignedInteger || type == .float else {
                throw .badRequest("gt, lt and st apply to numeric resources only, not to \(path)")
            }
        }
        if let st = merged.st, st < 0 { throw .badRequest("st must not be negative") }
        if let lt = merged.lt, let gt = merged.gt {
            guard lt < gt else { throw .badRequest("lt must be smaller than gt") }
            if let st = merged.st, !(lt + 2 * st < gt) { throw .badRequest("lt + 2*st must be smaller than gt") }
        }
        attributes[path] = merged.isEmpty ? nil : merged
        return ClientRequestOutcome(response: CoAPResponse(code: .changed))
    }

    /// Sets (or with a `nil` value removes) one attribute of `attributes`.
    private static func assign(_ name: String, _ value: String?, to attributes: inout NotificationAttributes)
        throws(ClientRequestFailure)
    {
        guard let attribute = NotificationAttributes.Name(rawValue: name) else {
            throw .badRequest("unknown attribute '\(name.prefix(32))'")
        }
        guard let value else {
            attributes[attribute] = nil
            return
        }
        guard let number = attribute.parse(Substring(value)) else {
            throw .badRequest("\(name) must be \(attribute.expectation), got '\(value.prefix(32))'")
        }
        attributes[attribute] = number
    }
}
