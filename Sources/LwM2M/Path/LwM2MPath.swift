/// A validated LwM2M path: `/`, `/o`, `/o/i`, `/o/i/r` or `/o/i/r/ri` (the LwM2M 1.1 Core URI path of Object,
/// Object Instance, Resource and Resource Instance; Leshan's `LwM2mPath`).
///
/// Rules, checked by every initializer:
/// - object, resource and resource-instance ids are 0...65535;
/// - object-instance ids are 0...65534: LwM2M Core reserves `MAX_ID` 65535, which "MUST NOT be used for
///   identifying an Object Instance" (implementations use it as "no instance"; Leshan rejects it too), so a path
///   naming instance 65535 is rejected. The object link `65535:65535` (null link) is a value, not a path;
/// - the string form is `/` followed by ids separated by `/`, decimal without sign or leading zeros.
///   The leading `/` may be omitted (`"3/0/1"`), as Leshan accepts and as some clients write SenML/JSON base names;
///   a trailing `/`, empty segments and more than four ids are rejected, so every path has one spelling.
///
/// Ordering is lexicographic over the ids with a parent before its children (`/3 < /3/0 < /3/0/1 < /4`).
/// It encodes as its string form with `Codable`.
public struct LwM2MPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The largest id (`MAX_ID`), reserved for object instances.
    public static let maxID: UInt16 = 65535

    /// The ids from object to resource instance; 0 to 4 of them.
    public let ids: [UInt16]

    /// The root path `/`.
    public static let root = LwM2MPath(validated: [])

    /// Creates a path from validated ids; callers guarantee the rules above.
    init(validated ids: [UInt16]) {
        self.ids = ids
    }

    /// Creates a path from 0 to 4 ids, validating them.
    public init(ids: [UInt16]) throws(LwM2MCodecError) {
        guard ids.count <= 4 else {
            throw LwM2MCodecError(.invalidPath, "a path has at most 4 ids, got \(ids.count)")
        }
        if ids.count >= 2, ids[1] == Self.maxID {
            throw LwM2MCodecError(.invalidPath, "object instance id 65535 (MAX_ID) is reserved")
        }
        self.ids = ids
    }

    /// The object path `/objectID`.
    public init(objectID: UInt16) {
        self.ids = [objectID]
    }

    /// The object-instance path `/objectID/instanceID`.
    public init(objectID: UInt16, instanceID: UInt16) throws(LwM2MCodecError) {
        try self.init(ids: [objectID, instanceID])
    }

    /// The resource path `/objectID/instanceID/resourceID`.
    public init(objectID: UInt16, instanceID: UInt16, resourceID: UInt16) throws(LwM2MCodecError) {
        try self.init(ids: [objectID, instanceID, resourceID])
    }

    /// The resource-instance path `/objectID/instanceID/resourceID/resourceInstanceID`.
    public init(objectID: UInt16, instanceID: UInt16, resourceID: UInt16, resourceInstanceID: UInt16)
        throws(LwM2MCodecError)
    {
        try self.init(ids: [objectID, instanceID, resourceID, resourceInstanceID])
    }

    /// Parses `"/3/0/1"` (or `"3/0/1"`, or `"/"` for the root); throws `invalidPath` on anything else.
    public init(_ string: String) throws(LwM2MCodecError) {
        var text = Substring(string)
        if text.hasPrefix("/") { text = text.dropFirst() }
        if text.isEmpty {
            guard string == "/" else { throw LwM2MCodecError(.invalidPath, "empty path") }
            self.init(validated: [])
            return
        }
        var ids: [UInt16] = []
        for segment in text.split(separator: "/", omittingEmptySubsequences: false) {
            guard ids.count < 4 else {
                throw LwM2MCodecError(.invalidPath, "'\(string)' has more than 4 ids")
            }
            guard let id = Self.parseID(segment) else {
                throw LwM2MCodecError(.invalidPath, "'\(string)': '\(segment)' is not an id in 0...65535")
            }
            ids.append(id)
        }
        try self.init(ids: ids)
    }

    /// A decimal id without sign or leading zeros, at most 65535.
    private static func parseID(_ segment: Substring) -> UInt16? {
        let utf8 = segment.utf8
        guard let first = utf8.first, utf8.count <= 5 else { return nil }
        if first == UInt8(ascii: "0") && utf8.count > 1 { return nil }
        var value: UInt32 = 0
        for byte in utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt32(byte - UInt8(ascii: "0"))
        }
        return value <= UInt32(UInt16.max) ? UInt16(value) : nil
    }

    /// The object id, if the path names at least an object.
    public var objectID: UInt16? { ids.count > 0 ? ids[0] : nil }
    /// The object-instance id, if the path names at least an instance.
    public var instanceID: UInt16? { ids.count > 1 ? ids[1] : nil }
    /// The resource id, if the path names at least a resource.
    public var resourceID: UInt16? { ids.count > 2 ? ids[2] : nil }
    /// The resource-instance id, if the path names a resource instance.
    public var resourceInstanceID: UInt16? { ids.count > 3 ? ids[3] : nil }

    /// How many ids the path has: 0 (root) to 4 (resource instance).
    public var depth: Int { ids.count }
    /// Whether this is `/`.
    public var isRoot: Bool { ids.isEmpty }
    /// Whether this is `/o`.
    public var isObject: Bool { ids.count == 1 }
    /// Whether this is `/o/i`.
    public var isObjectInstance: Bool { ids.count == 2 }
    /// Whether this is `/o/i/r`.
    public var isResource: Bool { ids.count == 3 }
    /// Whether this is `/o/i/r/ri`.
    public var isResourceInstance: Bool { ids.count == 4 }

    /// The path one level up, or `nil` for the root.
    public var parent: LwM2MPath? {
        ids.isEmpty ? nil : LwM2MPath(validated: Array(ids.dropLast()))
    }

    /// The child path with `id` appended; throws at depth 4 or for instance id 65535.
    public func appending(_ id: UInt16) throws(LwM2MCodecError) -> LwM2MPath {
        try LwM2MPath(ids: ids + [id])
    }

    /// Whether `self` equals `other` or is one of its ancestors.
    public func isPrefix(of other: LwM2MPath) -> Bool {
        other.ids.count >= ids.count && other.ids.starts(with: ids)
    }

    /// `/`, `/3`, `/3/0`, `/3/0/1`, `/3/0/6/1`.
    public var description: String {
        ids.isEmpty ? "/" : ids.map { "/\($0)" }.joined()
    }

    /// Lexicographic over the ids; a parent sorts before its children.
    public static func < (lhs: LwM2MPath, rhs: LwM2MPath) -> Bool {
        lhs.ids.lexicographicallyPrecedes(rhs.ids)
    }
}

extension LwM2MPath: Codable {
    /// Decodes a path from its string form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            try self.init(string)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the path as its string form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
