import Foundation

/// Parses OMA LwM2M DDF XML (object definition files per `LWM2M.xsd` / `LWM2M-v1_1.xsd`) into `ObjectDefinition`s.
///
/// Accepts case and whitespace variants of the enumerated values (`Multiple`, `R`, `Unsigned Integer`, ...),
/// ignores unknown elements, and rejects the whole file on the first problem: a definition is all or nothing.
public struct DDFParser: Sendable {
    /// Creates a parser.
    public init() {}

    /// Reads and parses the DDF file at `url`; errors name the file by its path.
    public func parse(contentsOf url: URL) throws(ObjectDefinitionError) -> [ObjectDefinition] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ObjectDefinitionError(kind: .unreadable, file: url.path, message: "cannot read file: \(error)")
        }
        return try parse(data, file: url.path)
    }

    /// Parses every `<Object>` of the DDF document `data` (at least one); `file` names the source in errors.
    public func parse(_ data: Data, file: String) throws(ObjectDefinitionError) -> [ObjectDefinition] {
        let root = try XMLElementNode.parse(data, file: file)
        guard root.name == "LWM2M" else {
            throw ObjectDefinitionError(kind: .notDDF, file: file, line: root.line,
                                        message: "root element is <\(root.name)>, expected <LWM2M>")
        }
        let objects = root.children(named: "Object")
        guard !objects.isEmpty else {
            throw ObjectDefinitionError(kind: .notDDF, file: file, line: root.line,
                                        message: "<LWM2M> holds no <Object> element")
        }
        var definitions: [ObjectDefinition] = []
        for object in objects {
            definitions.append(try parseObject(object, file: file))
        }
        return definitions
    }

    /// The data type a DDF `<Type>` text names, tolerating case, whitespace, `_` and `-` (`unsigned integer`,
    /// `UnsignedInteger`, `CoreLnk`); empty text and `none` are `.none`; `nil` when unknown.
    public static func dataType(fromDDF text: String) -> ResourceDataType? {
        switch squeezed(text) {
        case "", "none": ResourceDataType.none
        case "string": .string
        case "integer": .integer
        case "unsignedinteger": .unsignedInteger
        case "float": .float
        case "boolean": .boolean
        case "opaque": .opaque
        case "time": .time
        case "objlnk": .objlnk
        case "corelnk": .corelnk
        default: nil
        }
    }

    /// The operations a DDF `<Operations>` text names (`R`, `W`, `RW`, `E`; empty or `none` for none), tolerating
    /// case and whitespace; `nil` when unknown.
    public static func operations(fromDDF text: String) -> ResourceOperations? {
        switch squeezed(text) {
        case "", "none": []
        case "r": .read
        case "w": .write
        case "rw", "wr": [.read, .write]
        case "e": .execute
        default: nil
        }
    }

    /// The DDF spelling of `type` (`Unsigned Integer`, `Objlnk`, empty for `.none`), as `LWM2M-v1_1.xsd` lists it.
    public static func ddfName(of type: ResourceDataType) -> String {
        switch type {
        case .string: "String"
        case .integer: "Integer"
        case .unsignedInteger: "Unsigned Integer"
        case .float: "Float"
        case .boolean: "Boolean"
        case .opaque: "Opaque"
        case .time: "Time"
        case .objlnk: "Objlnk"
        case .corelnk: "Corelnk"
        case .none: ""
        }
    }

    /// The DDF spelling of `operations` (`R`, `W`, `RW`, `E`, or empty); `nil` for a combination DDF cannot express.
    public static func ddfName(of operations: ResourceOperations) -> String? {
        switch operations {
        case []: ""
        case .read: "R"
        case .write: "W"
        case [.read, .write]: "RW"
        case .execute: "E"
        default: nil
        }
    }

    /// Whether `version` is a DDF version string: dot-separated decimal numbers such as `1.0` or `1.2`.
    public static func isValidVersion(_ version: String) -> Bool {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        return parts.allSatisfy { part in !part.isEmpty && part.count <= 9 && part.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    // MARK: - Object and resource

    private func parseObject(_ node: XMLElementNode, file: String) throws(ObjectDefinitionError) -> ObjectDefinition {
        let context = Context(file: file, owner: "<Object>")
        guard let idNode = try context.child(node, "ObjectID") else {
            throw context.error(.missingElement, node, "<Object> has no <ObjectID>")
        }
        let idText = trimmed(idNode.text)
        guard let id = UInt16(idText) else {
            throw context.error(.invalidObjectID, idNode, "<ObjectID> \"\(idText)\" is not an integer in 0...65535")
        }
        let objectContext = Context(file: file, owner: "object \(id)")
        let name = try objectContext.requiredText(node, "Name")
        let multiple = try objectContext.choice(node, "MultipleInstances", ["multiple": true, "single": false])
        let mandatory = try objectContext.choice(node, "Mandatory", ["mandatory": true, "optional": false])
        let version = try objectContext.version(node, "ObjectVersion")
        let lwm2mVersion = try objectContext.version(node, "LWM2MVersion")
        guard let resourcesNode = try objectContext.child(node, "Resources") else {
            throw objectContext.error(.missingElement, node, "object \(id) has no <Resources>")
        }
        var resources: [UInt16: ResourceDefinition] = [:]
        for item in resourcesNode.children(named: "Item") {
            let resource = try parseItem(item, objectID: id, file: file)
            guard resources[resource.id] == nil else {
                throw objectContext.error(.invalidResourceID, item, "object \(id) defines resource \(resource.id) twice")
            }
            resources[resource.id] = resource
        }
        return ObjectDefinition(
            id: id, name: name, description: try objectContext.optionalText(node, "Description1"),
            version: version, lwm2mVersion: lwm2mVersion, urn: try objectContext.optionalText(node, "ObjectURN"),
            multipleInstances: multiple, mandatory: mandatory, resources: resources)
    }

    private func parseItem(_ node: XMLElementNode, objectID: UInt16, file: String) throws(ObjectDefinitionError)
        -> ResourceDefinition
    {
        let objectContext = Context(file: file, owner: "object \(objectID)")
        guard let idText = node.attributes["ID"].map(trimmed) else {
            throw objectContext.error(.invalidResourceID, node, "an <Item> of object \(objectID) has no ID attribute")
        }
        guard let id = UInt16(idText) else {
            throw objectContext.error(
                .invalidResourceID, node, "<Item> ID \"\(idText)\" of object \(objectID) is not an integer in 0...65535")
        }
        let context = Context(file: file, owner: "resource \(objectID)/\(id)")
        let operationsNode = try context.required(node, "Operations")
        guard let operations = Self.operations(fromDDF: operationsNode.text) else {
            throw context.error(.invalidValue, operationsNode,
                                "resource \(objectID)/\(id): unknown <Operations> \"\(trimmed(operationsNode.text))\"")
        }
        let typeNode = try context.required(node, "Type")
        guard let type = Self.dataType(fromDDF: typeNode.text) else {
            throw context.error(.invalidValue, typeNode,
                                "resource \(objectID)/\(id): unknown <Type> \"\(trimmed(typeNode.text))\"")
        }
        return ResourceDefinition(
            id: id, name: try context.requiredText(node, "Name"), operations: operations,
            multiple: try context.choice(node, "MultipleInstances", ["multiple": true, "single": false]),
            mandatory: try context.choice(node, "Mandatory", ["mandatory": true, "optional": false]),
            type: type, rangeEnumeration: try context.optionalText(node, "RangeEnumeration"),
            units: try context.optionalText(node, "Units"), description: try context.optionalText(node, "Description"))
    }

}

/// Lower-cased with whitespace, `_` and `-` removed: the comparison form of enumerated DDF values.
private func squeezed(_ text: String) -> String {
    String(String.UnicodeScalarView(text.lowercased().unicodeScalars.filter {
        !CharacterSet.whitespacesAndNewlines.contains($0) && $0 != "_" && $0 != "-"
    }))
}

/// `text` without leading and trailing whitespace and newlines.
private func trimmed(_ text: String) -> String {
    text.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Element lookups that throw errors naming the file and the object or resource being read.
private struct Context {
    var file: String
    /// What is being read, for messages: `object 3`, `resource 3/0`.
    var owner: String

    func error(_ kind: ObjectDefinitionError.Kind, _ node: XMLElementNode, _ message: String) -> ObjectDefinitionError {
        ObjectDefinitionError(kind: kind, file: file, line: node.line, message: message)
    }

    /// The only child named `name`, `nil` when absent; repeating it is an error.
    func child(_ node: XMLElementNode, _ name: String) throws(ObjectDefinitionError) -> XMLElementNode? {
        let matches = node.children(named: name)
        guard matches.count <= 1 else {
            throw error(.invalidValue, matches[1], "\(owner): <\(name)> appears \(matches.count) times")
        }
        return matches.first
    }

    func required(_ node: XMLElementNode, _ name: String) throws(ObjectDefinitionError) -> XMLElementNode {
        guard let child = try child(node, name) else {
            throw error(.missingElement, node, "\(owner) has no <\(name)>")
        }
        return child
    }

    /// The trimmed, non-empty text of the required child `name`.
    func requiredText(_ node: XMLElementNode, _ name: String) throws(ObjectDefinitionError) -> String {
        let child = try required(node, name)
        let text = trimmed(child.text)
        guard !text.isEmpty else { throw error(.invalidValue, child, "\(owner): <\(name)> is empty") }
        return text
    }

    /// The trimmed text of the optional child `name`, empty when absent.
    func optionalText(_ node: XMLElementNode, _ name: String) throws(ObjectDefinitionError) -> String {
        try child(node, name).map { trimmed($0.text) } ?? ""
    }

    /// A version element: trimmed, "1.0" when absent or empty, else dot-separated numbers.
    func version(_ node: XMLElementNode, _ name: String) throws(ObjectDefinitionError) -> String {
        guard let child = try child(node, name) else { return "1.0" }
        let text = trimmed(child.text)
        if text.isEmpty { return "1.0" }
        guard DDFParser.isValidVersion(text) else {
            throw error(.invalidValue, child, "\(owner): <\(name)> \"\(text)\" is not a version like 1.0")
        }
        return text
    }

    /// The value of the required child `name` among `choices` (keys lower-case), ignoring case and whitespace.
    func choice(_ node: XMLElementNode, _ name: String, _ choices: [String: Bool]) throws(ObjectDefinitionError)
        -> Bool
    {
        let child = try required(node, name)
        let text = trimmed(child.text)
        guard let value = choices[squeezed(text)] else {
            let expected = choices.keys.sorted().joined(separator: " or ")
            throw error(.invalidValue, child, "\(owner): <\(name)> is \"\(text)\", expected \(expected)")
        }
        return value
    }
}
