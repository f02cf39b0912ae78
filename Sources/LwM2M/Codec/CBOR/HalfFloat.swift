/// IEEE 754 binary16 conversions for CBOR (RFC 8949 §3.3, Appendix D), written out because `Float16` is not
/// available on every platform Swift targets.
enum HalfFloat {
    /// The value of half-precision bits.
    static func value(ofBits bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = Double(bits & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1024 + mantissa) * Double(sign: .plus, exponent: exponent - 25, significand: 1)
        }
    }

    /// The half-precision bits that represent `value` exactly, or `nil`. NaN maps to the canonical `0x7E00`.
    static func exactBits(of value: Double) -> UInt16? {
        if value.isNaN { return 0x7E00 }
        let sign: UInt16 = value.sign == .minus ? 0x8000 : 0
        let magnitude = value.magnitude
        if magnitude == 0 { return sign }
        if magnitude.isInfinite { return sign | 0x7C00 }
        let exponent = Int(magnitude.exponent)
        if exponent > 15 { return nil }
        if exponent >= -14 {
            let scaled = magnitude * Double(sign: .plus, exponent: 10 - exponent, significand: 1)
            guard scaled == scaled.rounded(.towardZero) else { return nil }
            return sign | UInt16(exponent + 15) << 10 | (UInt16(scaled) - 1024)
        }
        let scaled = magnitude * 0x1p24
        guard scaled == scaled.rounded(.towardZero), scaled >= 1, scaled < 1024 else { return nil }
        return sign | UInt16(scaled)
    }
}
