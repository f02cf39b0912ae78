/// The one mapping between SenML records and LwM2M values, shared by SenML JSON and SenML CBOR
/// (LwM2M 1.1 Core §7.4.5-§7.4.6): resolved names are LwM2M paths, `v`/`vs`/`vb`/`vd`/`vlo` carry the value,
/// `bt + t` the time. Typing with the object model and building nodes happen in `NodeAssembler`/`ValueTyping`.
enum SenMLNodeMapper {
    /// The values of a pack with their paths and times. Throws `invalidPath` for a name that is not a path and
    /// `malformed` for a record with no value or more than one.
    static func leaves(of pack: SenMLPack) throws(LwM2MCodecError) -> [RawLeaf] {
        var leaves: [RawLeaf] = []
        for record in try pack.resolved() {
            let path = try LwM2MPath(record.name)
            var values: [RawValue] = []
            if let number = record.value { values.append(.number(number)) }
            if let text = record.stringValue { values.append(.string(text)) }
            if let flag = record.booleanValue { values.append(.boolean(flag)) }
            if let data = record.dataValue { values.append(.bytes(data)) }
            if let link = record.objectLinkValue { values.append(.objlnk(link)) }
            guard values.count == 1 else {
                throw LwM2MCodecError(
                    .malformed, values.isEmpty ? "SenML record has no value" : "SenML record has more than one value",
                    path: path)
            }
            try ReportTimeRange.check(record.time, path: path)
            leaves.append(RawLeaf(path: path, time: record.time, value: values[0]))
        }
        return leaves
    }

    /// The pack for groups of values: the first record of a group carries `bn` (the group's base path) and, when
    /// the time changes, `bt`; every record carries its name relative to `bn` (as in the spec's examples
    /// `{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"}`).
    static func pack(for groups: [RawLeafGroup]) -> SenMLPack {
        var records: [SenMLRecord] = []
        var currentBaseTime: Double?
        for group in groups {
            for (index, leaf) in group.leaves.enumerated() {
                var record = SenMLRecord()
                let names = RawLeafGroup.names(of: leaf.path, base: group.base)
                if index == 0 {
                    record.baseName = names.baseName
                    if let time = group.time, time != currentBaseTime {
                        record.baseTime = timeNumber(time)
                        currentBaseTime = time
                    }
                }
                record.name = names.name
                switch leaf.value {
                case .number(let number): record.value = number
                case .string(let text): record.stringValue = text
                case .boolean(let flag): record.booleanValue = flag
                case .bytes(let data): record.dataValue = data
                case .objlnk(let text): record.objectLinkValue = text
                }
                records.append(record)
            }
        }
        return SenMLPack(records: records)
    }

    /// A time as an integer when it is one, so `bt` stays integral on the wire.
    static func timeNumber(_ time: Double) -> WireNumber {
        if let integral = WireNumber.float(time).exactInt64 { return .integer(integral) }
        return .float(time)
    }
}
