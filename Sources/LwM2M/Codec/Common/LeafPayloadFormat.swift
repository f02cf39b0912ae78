import Foundation

/// The wire side of a multi-value format: payload bytes ↔ resolved (path, time, raw value) leaves.
/// SenML JSON, SenML CBOR and LwM2M JSON implement it; `LeafPayloadFormat`'s extension turns it into the
/// node-level operations every one of them offers, so the node mapping exists once.
protocol LeafPayloadFormat: Sendable {
    /// Whether opaque values travel as base64 strings (LwM2M JSON) rather than as data (SenML `vd`).
    var opaqueAsString: Bool { get }
    /// Parses a payload into leaves with resolved names and times.
    func parseLeaves(_ bytes: [UInt8]) throws(LwM2MCodecError) -> [RawLeaf]
    /// Serializes groups of leaves.
    func serializeLeaves(_ groups: [RawLeafGroup]) throws(LwM2MCodecError) -> [UInt8]
}

extension LeafPayloadFormat {
    /// Encodes one node at `path` as one group without time.
    func encodeNode(_ node: LwM2MNode, at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [UInt8]
    {
        try node.validate(at: path)
        return try serializeLeaves([try group(node, at: path, time: nil, model: model)])
    }

    /// Decodes the node at `path`; times in the payload are ignored, so a value given twice is a duplicate.
    func decodeNode(_ bytes: [UInt8], at path: LwM2MPath, model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> LwM2MNode
    {
        guard !path.isRoot else {
            throw LwM2MCodecError(.unsupportedNode, "the root path cannot be decoded as one node", path: path)
        }
        return try NodeAssembler.assemble(try typedLeaves(bytes, model: model).map { ($0.path, $0.value) },
                                          at: path, model: model)
    }

    /// Encodes several nodes, one group per path in path order.
    func encodeNodeMap(_ nodes: [LwM2MPath: LwM2MNode], model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [UInt8]
    {
        var groups: [RawLeafGroup] = []
        for path in nodes.keys.sorted() {
            try nodes[path]!.validate(at: path)
            groups.append(try group(nodes[path]!, at: path, time: nil, model: model))
        }
        return try serializeLeaves(groups)
    }

    /// Decodes several nodes, grouped under `paths` or one per value.
    func decodeNodeMap(_ bytes: [UInt8], paths: [LwM2MPath]?, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [LwM2MPath: LwM2MNode]
    {
        let leaves = try typedLeaves(bytes, model: model).map { ($0.path, $0.value) }
        return try Self.nodes(from: leaves, paths: paths, model: model)
    }

    /// Encodes timestamped groups; untimed groups go first because a base time, once set, carries over.
    func encodeTimestampedGroups(_ groups: [TimestampedNodes], model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [UInt8]
    {
        let ordered = groups.filter { $0.timestamp == nil } + groups.filter { $0.timestamp != nil }
        var rawGroups: [RawLeafGroup] = []
        for group in ordered {
            if let timestamp = group.timestamp, !timestamp.isFinite {
                throw LwM2MCodecError(.invalidValue, "timestamp \(timestamp) is not finite")
            }
            for path in group.nodes.keys.sorted() {
                try group.nodes[path]!.validate(at: path)
                rawGroups.append(try self.group(group.nodes[path]!, at: path, time: group.timestamp, model: model))
            }
        }
        return try serializeLeaves(rawGroups)
    }

    /// Decodes a timestamped payload: one group per distinct time, untimed first, then newest first.
    func decodeTimestampedGroups(_ bytes: [UInt8], paths: [LwM2MPath]?, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [TimestampedNodes]
    {
        let leaves = try typedLeaves(bytes, model: model)
        var times: [Double?] = []
        var byTime: [Double?: [NodeAssembler.Leaf]] = [:]
        for leaf in leaves {
            if byTime[leaf.time] == nil { times.append(leaf.time) }
            byTime[leaf.time, default: []].append((leaf.path, leaf.value))
        }
        times.sort { lhs, rhs in
            guard let lhs else { return rhs != nil }
            guard let rhs else { return false }
            return lhs > rhs
        }
        var out: [TimestampedNodes] = []
        for time in times {
            out.append(TimestampedNodes(timestamp: time,
                                        nodes: try Self.nodes(from: byTime[time]!, paths: paths, model: model)))
        }
        return out
    }

    /// Decodes a payload straight into its values, without building nodes (reports: notifications and Send).
    /// The checks are those of `decodeTimestampedGroups` with no requested paths: every value typed by the model,
    /// no value for a multiple-instance resource without an instance id, no path given twice at one time. The
    /// order is theirs too: untimed values first, then newest first; within one time, in path order.
    func decodeTimedValues(_ bytes: [UInt8], model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [ReportedValue]
    {
        let leaves = try typedLeaves(bytes, model: model)
        var seen = Set<TimedPath>(minimumCapacity: leaves.count)
        for leaf in leaves {
            if leaf.path.depth == 3, ValueTyping.definition(at: leaf.path, model: model)?.multiple == true {
                throw LwM2MCodecError(
                    .pathMismatch, "multiple-instance resource given a single value without instance id",
                    path: leaf.path)
            }
            guard seen.insert(TimedPath(path: leaf.path, time: leaf.time)).inserted else {
                throw LwM2MCodecError(.duplicateID, "two values for one resource", path: leaf.path)
            }
        }
        let ordered = leaves.sorted { lhs, rhs in
            if lhs.time != rhs.time {
                guard let left = lhs.time else { return true }
                guard let right = rhs.time else { return false }
                return left > right
            }
            return lhs.path < rhs.path
        }
        return ordered.map { leaf in
            ReportedValue(path: leaf.path, value: leaf.value, timestamp: leaf.time.map { Date(timeIntervalSince1970: $0) })
        }
    }

    /// The leaves of `node` checked against the model and in raw form.
    private func group(_ node: LwM2MNode, at path: LwM2MPath, time: Double?, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> RawLeafGroup
    {
        var raw: [(path: LwM2MPath, value: RawValue)] = []
        for leaf in NodeAssembler.leaves(of: node, at: path) {
            try ValueTyping.check(leaf.value, at: leaf.path, model: model)
            let value = try annotating(leaf.path) { () throws(LwM2MCodecError) in
                try ValueTyping.raw(from: leaf.value, opaqueAsString: opaqueAsString)
            }
            raw.append((leaf.path, value))
        }
        return RawLeafGroup(base: path, time: time, leaves: raw)
    }

    /// Parses and types every leaf of the payload.
    private func typedLeaves(_ bytes: [UInt8], model: any ObjectModelProvider) throws(LwM2MCodecError)
        -> [(path: LwM2MPath, time: Double?, value: LwM2MValue)]
    {
        var out: [(path: LwM2MPath, time: Double?, value: LwM2MValue)] = []
        for leaf in try parseLeaves(bytes) {
            guard leaf.path.depth >= 3 else {
                throw LwM2MCodecError(.pathMismatch, "a value must name a resource or resource instance",
                                      path: leaf.path)
            }
            let value = try ValueTyping.value(from: leaf.value, at: leaf.path, model: model,
                                              opaqueFromString: opaqueAsString)
            out.append((leaf.path, leaf.time, value))
        }
        return out
    }

    /// Groups leaves under the requested paths (the longest containing one), or one node per leaf.
    private static func nodes(from leaves: [NodeAssembler.Leaf], paths: [LwM2MPath]?, model: any ObjectModelProvider)
        throws(LwM2MCodecError) -> [LwM2MPath: LwM2MNode]
    {
        var grouped: [LwM2MPath: [NodeAssembler.Leaf]] = [:]
        if let paths {
            let candidates = paths.sorted { $0.depth > $1.depth }
            for leaf in leaves {
                guard let target = candidates.first(where: { $0.isPrefix(of: leaf.path) }) else {
                    throw LwM2MCodecError(.pathMismatch, "value is under none of the requested paths", path: leaf.path)
                }
                grouped[target, default: []].append(leaf)
            }
        } else {
            for leaf in leaves { grouped[leaf.path, default: []].append(leaf) }
        }
        var out: [LwM2MPath: LwM2MNode] = [:]
        for (path, group) in grouped {
            out[path] = try NodeAssembler.assemble(group, at: path, model: model)
        }
        return out
    }
}

/// A path at one time: what may appear once in a multi-value payload.
private struct TimedPath: Hashable {
    let path: LwM2MPath
    let time: Double?
}
