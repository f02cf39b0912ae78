import Foundation

/// The object definitions the server knows, every loaded version of each object; `object(_:)` answers the newest.
///
/// Versions are compared numerically per dot-separated component (`1.10` is newer than `1.9`, `1` equals `1.0`).
/// Build one with `init(definitions:)` or with `load(directories:into:)`, which reads DDF XML files.
public struct ObjectModelRegistry: ObjectModelProvider, Sendable, Equatable {
    /// Per object id, its definitions ordered oldest version first; never an empty array.
    private var versionsByID: [UInt16: [ObjectDefinition]] = [:]

    /// Creates an empty registry.
    public init() {}

    /// Creates a registry from `definitions`; of two with the same object id and version the first is kept.
    public init(definitions: some Sequence<ObjectDefinition>) {
        for definition in definitions {
            insert(definition)
        }
    }

    /// The newest version of object `objectID`, or `nil` when the object is unknown.
    public func object(_ objectID: UInt16) -> ObjectDefinition? {
        versionsByID[objectID]?.last
    }

    /// Object `objectID` in exactly `version` (compared numerically, so `1` finds `1.0`), or `nil`.
    public func object(_ objectID: UInt16, version: String) -> ObjectDefinition? {
        let key = VersionKey(version)
        return versionsByID[objectID]?.first { VersionKey($0.version) == key }
    }

    /// Every loaded version of object `objectID`, oldest first; empty when the object is unknown.
    public func versions(of objectID: UInt16) -> [ObjectDefinition] {
        versionsByID[objectID] ?? []
    }

    /// Whether object `objectID` is known in `version`.
    public func contains(_ objectID: UInt16, version: String) -> Bool {
        object(objectID, version: version) != nil
    }

    /// The known object ids, ascending.
    public var objectIDs: [UInt16] {
        versionsByID.keys.sorted()
    }

    /// All definitions, by object id ascending, then oldest version first.
    public var definitions: [ObjectDefinition] {
        objectIDs.flatMap { versionsByID[$0] ?? [] }
    }

    /// The number of definitions, counting each version of an object separately.
    public var count: Int {
        versionsByID.values.reduce(0) { $0 + $1.count }
    }

    /// Whether the registry holds no definition.
    public var isEmpty: Bool {
        versionsByID.isEmpty
    }

    /// Adds `definition` unless its object id and version are already present; returns whether it was added.
    @discardableResult
    public mutating func insert(_ definition: ObjectDefinition) -> Bool {
        let key = VersionKey(definition.version)
        var versions = versionsByID[definition.id] ?? []
        if versions.contains(where: { VersionKey($0.version) == key }) { return false }
        let index = versions.firstIndex { key < VersionKey($0.version) } ?? versions.endIndex
        versions.insert(definition, at: index)
        versionsByID[definition.id] = versions
        return true
    }
}

/// The sort key of an object version string: numeric components when it is `1.2`-shaped, else the raw text.
///
/// Numeric versions compare component by component with missing trailing components as zero, and sort before
/// any non-numeric version (which only `init(definitions:)` can bring in; the DDF parser rejects them).
private struct VersionKey: Comparable {
    /// The components, trailing zeros dropped, or `nil` when the version is not numeric.
    var numbers: [Int]?
    /// The trimmed text, compared when the version is not numeric.
    var text: String

    init(_ version: String) {
        text = version.trimmingCharacters(in: .whitespacesAndNewlines)
        if DDFParser.isValidVersion(text) {
            var parts = text.split(separator: ".").compactMap { Int($0) }
            while parts.last == 0 { parts.removeLast() }
            numbers = parts
        } else {
            numbers = nil
        }
    }

    static func == (lhs: VersionKey, rhs: VersionKey) -> Bool {
        switch (lhs.numbers, rhs.numbers) {
        case let (left?, right?): left == right
        case (nil, nil): lhs.text == rhs.text
        case (_?, nil), (nil, _?): false
        }
    }

    static func < (lhs: VersionKey, rhs: VersionKey) -> Bool {
        switch (lhs.numbers, rhs.numbers) {
        case let (left?, right?): left.lexicographicallyPrecedes(right)
        case (nil, nil): lhs.text.utf8.lexicographicallyPrecedes(rhs.text.utf8)
        case (_?, nil): true
        case (nil, _?): false
        }
    }
}
