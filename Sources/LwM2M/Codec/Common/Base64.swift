import Foundation

/// Base64 (RFC 4648 §4) and base64url (§5) for opaque values in text, LwM2M JSON and SenML JSON: Foundation's
/// codec, with the alphabet and the padding the formats want.
enum Base64 {
    /// Encodes bytes; `urlSafe` selects the §5 alphabet, `padding` keeps the `=`.
    static func encode(_ bytes: [UInt8], urlSafe: Bool, padding: Bool) -> String {
        var text = Data(bytes).base64EncodedString()
        if urlSafe {
            text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        }
        if !padding { text = text.replacingOccurrences(of: "=", with: "") }
        return text
    }

    /// Decodes either alphabet, with or without `=` padding; `nil` on any other character or a bad length.
    static func decode(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = standard.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { standard += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: standard).map { Array($0) }
    }
}
