/// LwM2M JSON on the wire (11543, LwM2M 1.0 Core §6.4.4; kept in LwM2M 1.1 Core §7.4.4): `LwM2MJSONDocument` ↔
/// leaves, for `LeafFormatCodec.lwm2mJSON`. Names resolve as `bn + n` and times as `bt + t`; opaque values travel
/// as base64 in `sv` (the format has no data field), object links as `"o:i"` in `ov`.
///
/// Encoding one node writes `bn` = the node's path cut to the object instance (`/3/0/`, with a trailing `/`) and
/// names relative to it (`14`, `7/1`), as in LwM2M 1.0 Core §6.4.4's examples. Several nodes or groups are written
/// without `bn` and with full names; timestamped groups give every entry an absolute `t`.
struct LwM2MJSONWire: LeafPayloadFormat {
    var opaqueAsString: Bool { true }

    func parseLeaves(_ bytes: [UInt8]) throws(LwM2MCodecError) -> [RawLeaf] {
        let document = try LwM2MJSONDocument(bytes: bytes)
        let baseName = document.baseName ?? ""
        var leaves: [RawLeaf] = []
        for entry in document.entries {
            var time: Double?
            if document.baseTime != nil || entry.time != nil {
                time = (document.baseTime?.doubleValue ?? 0) + (entry.time?.doubleValue ?? 0)
            }
            let path = try LwM2MPath(baseName + (entry.name ?? ""))
            try ReportTimeRange.check(time, path: path)
            leaves.append(RawLeaf(path: path, time: time, value: entry.value))
        }
        return leaves
    }

    /// `path` cut to its object instance when it is deeper (a resource or resource instance).
    static func instanceBase(_ path: LwM2MPath) -> LwM2MPath {
        guard path.depth > 2, let instance = try? LwM2MPath(objectID: path.ids[0], instanceID: path.ids[1]) else {
            return path
        }
        return instance
    }

    func serializeLeaves(_ groups: [RawLeafGroup]) throws(LwM2MCodecError) -> [UInt8] {
        if groups.count == 1, groups[0].time == nil {
            let group = groups[0]
            // LwM2M 1.0 Core §6.4.4: `bn` is at most the object instance (`/3/0/`) and `n` names the resource
            // [/instance]; clients that write only this form reject `bn` = a resource path.
            let base = Self.instanceBase(group.base)
            let baseName = group.leaves.first.map { RawLeafGroup.names(of: $0.path, base: base).baseName }
            let entries = group.leaves.map { leaf in
                LwM2MJSONDocument.Entry(name: RawLeafGroup.names(of: leaf.path, base: base).name, time: nil,
                                        value: leaf.value)
            }
            return try LwM2MJSONDocument(baseName: baseName ?? base.description, baseTime: nil,
                                         entries: entries).bytes()
        }
        var entries: [LwM2MJSONDocument.Entry] = []
        for group in groups {
            for leaf in group.leaves {
                entries.append(LwM2MJSONDocument.Entry(
                    name: leaf.path.description, time: group.time.map(SenMLNodeMapper.timeNumber),
                    value: leaf.value))
            }
        }
        return try LwM2MJSONDocument(baseName: nil, baseTime: nil, entries: entries).bytes()
    }
}
