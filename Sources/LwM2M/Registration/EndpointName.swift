import Foundation

/// The one rule for endpoint client names (`ep=`): the server keeps and compares them in Unicode Normalization
/// Form C. Swift compares strings by canonical equivalence and SQLite by bytes, so without one form an NFC and an
/// NFD "café" would be one registration in memory and two rows on disk. Every entry point (Register, the REST
/// paths and bodies that name endpoints) passes names through `canonical`.
public enum EndpointName {
    /// `name` in NFC.
    public static func canonical(_ name: String) -> String {
        name.precomposedStringWithCanonicalMapping
    }
}
