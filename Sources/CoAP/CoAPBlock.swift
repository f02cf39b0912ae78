/// The value of a Block1 or Block2 option (RFC 7959 §2.2): block number, more flag and size exponent.
///
/// Used on requests sent with explicit block options (see `CoAPRequest.block1`/`block2`), which libcoap then
/// sends as one PDU without splitting or reassembling, and on the responses they get back.
public struct CoAPBlock: Sendable, Hashable, CustomStringConvertible {
    /// The block number (NUM, up to 2^20 − 1).
    public var num: UInt32
    /// The M bit: more blocks follow (Block2 in a response, Block1 in a request), or, in a Block1 of a
    /// response, that the server acted on the block only (RFC 7959 §2.3).
    public var more: Bool
    /// The size exponent: the block size is `16 << szx` bytes, 0...6 (16...1024; 7 is reserved for BERT).
    public var szx: UInt8

    /// The largest block number the option can carry (20 bits, RFC 7959 §2.2).
    public static let maxNumber: UInt32 = (1 << 20) - 1

    /// Creates a block option value; `szx` must be 0...6 and `num` at most `maxNumber`.
    public init(num: UInt32, more: Bool, szx: UInt8) {
        precondition(szx <= 6, "SZX \(szx) is outside 0...6 (RFC 7959 §2.2)")
        precondition(num <= Self.maxNumber, "block number \(num) does not fit 20 bits (RFC 7959 §2.2)")
        self.num = num
        self.more = more
        self.szx = szx
    }

    /// The block of `size` bytes (a power of two, 16...1024) that contains byte `offset`.
    public init?(containing offset: Int, size: Int, more: Bool = false) {
        guard let szx = Self.szx(forSize: size), offset >= 0, offset / size <= Int(Self.maxNumber) else { return nil }
        self.init(num: UInt32(offset / size), more: more, szx: szx)
    }

    /// Decodes an option value: 0–3 bytes, big-endian, NUM in the upper bits, M in bit 3, SZX in bits 0–2
    /// (RFC 7959 §2.2). `nil` for a value longer than 3 bytes or SZX 7 (BERT, RFC 8323, not used over UDP).
    public init?(optionValue bytes: [UInt8]) {
        guard bytes.count <= 3 else { return nil }
        let value = bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let szx = UInt8(value & 0x7)
        guard szx <= 6 else { return nil }
        self.init(num: value >> 4, more: value & 0x8 != 0, szx: szx)
    }

    /// The option value in its shortest form (a zero value is the empty option, RFC 7252 §3.2).
    public var optionValue: [UInt8] {
        let value = num << 4 | (more ? 0x8 : 0) | UInt32(szx)
        switch value {
        case 0: return []
        case 1...0xFF: return [UInt8(value)]
        case 0x100...0xFFFF: return [UInt8(value >> 8), UInt8(value & 0xFF)]
        default: return [UInt8(value >> 16), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }
    }

    /// The option value as a CoAP uint (RFC 7252 §3.2).
    var uintValue: UInt32 { num << 4 | (more ? 0x8 : 0) | UInt32(szx) }

    /// The block size in bytes, `16 << szx`.
    public var size: Int { 16 << Int(szx) }

    /// The byte offset of the block's first byte in the body, `num * size`.
    public var offset: Int { Int(num) * size }

    /// The SZX for a block size (16, 32, ..., 1024), `nil` for any other size.
    public static func szx(forSize size: Int) -> UInt8? {
        (0...6).first { 16 << $0 == size }.map(UInt8.init)
    }

    /// `num/more/size`, as RFC 7959 writes block options (e.g. `3/1/1024`).
    public var description: String { "\(num)/\(more ? 1 : 0)/\(size)" }
}
