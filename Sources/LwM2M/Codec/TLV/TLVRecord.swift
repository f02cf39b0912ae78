/// One record of the OMA TLV format (LwM2M 1.1 Core §7.4.3), the wire layer below `TLVCodec`.
///
/// Type byte: bits 7-6 the identifier type (00 object instance, 01 resource instance, 10 multiple resource,
/// 11 resource with value); bit 5 the identifier length (0: 8 bits, 1: 16 bits); bits 4-3 the length type
/// (00: length in bits 2-0, 01/10/11: an 8/16/24-bit length field follows the identifier).
/// Object instances contain resources and multiple resources; multiple resources contain resource instances.
public enum TLVRecord: Sendable, Hashable {
    /// An object instance (type 00) and its resource records.
    case objectInstance(id: UInt16, resources: [TLVRecord])
    /// One instance of a multiple resource (type 01) and its value bytes.
    case resourceInstance(id: UInt16, value: [UInt8])
    /// A multiple-instance resource (type 10) and its resource-instance records.
    case multipleResource(id: UInt16, instances: [TLVRecord])
    /// A single-instance resource (type 11) and its value bytes.
    case resource(id: UInt16, value: [UInt8])

    /// The largest value length a TLV header can express (24-bit length field).
    public static let maxLength = 0xFF_FFFF

    /// The record's identifier.
    public var id: UInt16 {
        switch self {
        case .objectInstance(let id, _), .resourceInstance(let id, _), .multipleResource(let id, _),
            .resource(let id, _):
            id
        }
    }

    /// The two type bits (0 to 3).
    var typeBits: UInt8 {
        switch self {
        case .objectInstance: 0b00
        case .resourceInstance: 0b01
        case .multipleResource: 0b10
        case .resource: 0b11
        }
    }

    /// A name of the record kind for messages.
    var kindName: String {
        switch self {
        case .objectInstance: "object instance"
        case .resourceInstance: "resource instance"
        case .multipleResource: "multiple resource"
        case .resource: "resource"
        }
    }
}
