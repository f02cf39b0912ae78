/// An opaque, stable handle for one CoAP session (a peer address on a local endpoint).
///
/// The CoAP module maps it to libcoap's session on its I/O thread; the handle stays valid (but dead)
/// after the session is gone, so upper layers can keep it in their state without holding C pointers.
public struct CoAPSessionID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The process-unique number of the session.
    public let rawValue: UInt64

    /// Creates a handle from its number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public var description: String { "session#\(rawValue)" }
}
