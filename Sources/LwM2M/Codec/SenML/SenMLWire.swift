/// SenML JSON on the wire (RFC 8428 §5): `SenMLPack`'s JSON form and the shared `SenMLNodeMapper`.
struct SenMLJSONWire: LeafPayloadFormat {
    var opaqueAsString: Bool { false }

    func parseLeaves(_ bytes: [UInt8]) throws(LwM2MCodecError) -> [RawLeaf] {
        try SenMLNodeMapper.leaves(of: try SenMLPack(json: bytes))
    }

    func serializeLeaves(_ groups: [RawLeafGroup]) throws(LwM2MCodecError) -> [UInt8] {
        try SenMLNodeMapper.pack(for: groups).jsonBytes()
    }
}

/// SenML CBOR on the wire (RFC 8428 §6): `SenMLPack`'s CBOR form (the package's own CBOR codec) and the shared
/// `SenMLNodeMapper`.
struct SenMLCBORWire: LeafPayloadFormat {
    var opaqueAsString: Bool { false }

    func parseLeaves(_ bytes: [UInt8]) throws(LwM2MCodecError) -> [RawLeaf] {
        try SenMLNodeMapper.leaves(of: try SenMLPack(cbor: bytes))
    }

    func serializeLeaves(_ groups: [RawLeafGroup]) throws(LwM2MCodecError) -> [UInt8] {
        SenMLNodeMapper.pack(for: groups).cborBytes()
    }
}
