/// A resource of the object model by object id and resource id, written `3303/5700`.
public struct ResourceTypeKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The object id.
    public var objectID: UInt16
    /// The resource id.
    public var resourceID: UInt16

    /// Creates a key.
    public init(objectID: UInt16, resourceID: UInt16) {
        self.objectID = objectID
        self.resourceID = resourceID
    }

    /// Parses `"3303/5700"` (an optional leading `/` is accepted); `nil` when it is not two decimal ids.
    public init?(_ text: String) {
        let trimmed = text.hasPrefix("/") ? text.dropFirst() : Substring(text)
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let objectID = Self.id(parts[0]), let resourceID = Self.id(parts[1]) else {
            return nil
        }
        self.init(objectID: objectID, resourceID: resourceID)
    }

    /// `3303/5700`.
    public var description: String { "\(objectID)/\(resourceID)" }

    /// Orders by object id, then resource id.
    public static func < (lhs: ResourceTypeKey, rhs: ResourceTypeKey) -> Bool {
        (lhs.objectID, lhs.resourceID) < (rhs.objectID, rhs.resourceID)
    }

    /// A decimal id in 0...65535 without sign or leading zeros.
    private static func id(_ text: Substring) -> UInt16? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }),
            text == "0" || !text.hasPrefix("0")
        else { return nil }
        return UInt16(text)
    }
}
