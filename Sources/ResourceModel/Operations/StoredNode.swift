import Foundation
import LwM2M

/// A device node as the operation queue stores it: typed JSON that reads back into the same `LwM2MNode`
/// without the object model (the model may change between queueing and sending; the operator's intent must not).
///
/// `{"kind":"resource","id":1,"type":"integer","value":300}`; instances and objects carry `children`, multiple
/// resources carry `instances` (`{"0": <value>, ...}`). Values are typed by `type`: opaque as base64, objlnk as
/// `"o:i"`, corelnk as link-format text, non-finite floats as the strings `"nan"`, `"inf"`, `"-inf"`.
struct StoredNode: Codable, Equatable, Sendable {
    enum Kind: String, Codable, Sendable {
        case object, objectInstance = "instance", resource, resourceInstance = "resource-instance"
    }

    var kind: Kind
    var id: UInt16
    var type: ResourceDataType?
    var value: StoredValue?
    var instances: [String: StoredValue]?
    var children: [StoredNode]?

    init(_ node: LwM2MNode) {
        switch node {
        case .object(let object):
            self.init(kind: .object, id: object.id, children: object.instances.keys.sorted().map {
                StoredNode(.objectInstance(object.instances[$0]!))
            })
        case .objectInstance(let instance):
            self.init(kind: .objectInstance, id: instance.id, children: instance.resources.keys.sorted().map {
                StoredNode(.resource(instance.resources[$0]!))
            })
        case .resource(let resource):
            switch resource.content {
            case .single(let value):
                self.init(kind: .resource, id: resource.id, type: resource.type, value: StoredValue(value))
            case .multiple(let values):
                self.init(
                    kind: .resource, id: resource.id, type: resource.type,
                    instances: Dictionary(uniqueKeysWithValues: values.map { (String($0.key), StoredValue($0.value)) }))
            }
        case .resourceInstance(let instance):
            self.init(kind: .resourceInstance, id: instance.id, type: instance.value.dataType,
                      value: StoredValue(instance.value))
        }
    }

    private init(kind: Kind, id: UInt16, type: ResourceDataType? = nil, value: StoredValue? = nil,
                 instances: [String: StoredValue]? = nil, children: [StoredNode]? = nil) {
        self.kind = kind
        self.id = id
        self.type = type
        self.value = value
        self.instances = instances
        self.children = children
    }

    /// The node back; throws on stored JSON that no `StoredNode(_:)` wrote.
    func node() throws -> LwM2MNode {
        switch kind {
        case .object:
            return .object(try LwM2MObject(id: id, instances: try (children ?? []).map {
                guard case .objectInstance(let instance) = try $0.node() else { throw Self.malformed("object child") }
                return instance
            }))
        case .objectInstance:
            return .objectInstance(try LwM2MObjectInstance(id: id, resources: try (children ?? []).map {
                guard case .resource(let resource) = try $0.node() else { throw Self.malformed("instance child") }
                return resource
            }))
        case .resource:
            guard let type else { throw Self.malformed("resource without a type") }
            if let value {
                return .resource(.single(id: id, value: try value.value(as: type)))
            }
            var values: [UInt16: LwM2MValue] = [:]
            for (key, stored) in instances ?? [:] {
                guard let instanceID = UInt16(key) else { throw Self.malformed("resource instance id '\(key)'") }
                values[instanceID] = try stored.value(as: type)
            }
            return .resource(try .multiple(id: id, type: type, instances: values))
        case .resourceInstance:
            guard let type, let value else { throw Self.malformed("resource instance without a value") }
            return .resourceInstance(LwM2MResourceInstance(id: id, value: try value.value(as: type)))
        }
    }

    static func malformed(_ what: String) -> LwM2MCodecError {
        LwM2MCodecError(.malformed, "stored node: \(what)")
    }
}

/// One stored value: a JSON scalar whose meaning the enclosing `type` gives.
enum StoredValue: Codable, Equatable, Sendable {
    case text(String)
    case integer(Int64)
    case unsigned(UInt64)
    case real(Double)
    case flag(Bool)

    init(_ value: LwM2MValue) {
        switch value {
        case .string(let text): self = .text(text)
        case .integer(let number), .time(let number): self = .integer(number)
        case .unsignedInteger(let number): self = .unsigned(number)
        case .float(let number):
            if number.isNaN {
                self = .text("nan")
            } else if number.isInfinite {
                self = .text(number > 0 ? "inf" : "-inf")
            } else {
                self = .real(number)
            }
        case .boolean(let flag): self = .flag(flag)
        case .opaque(let bytes): self = .text(Data(bytes).base64EncodedString())
        case .objlnk(let objectID, let instanceID): self = .text("\(objectID):\(instanceID)")
        case .corelnk(let links): self = .text(LinkFormat.serialize(links))
        }
    }

    func value(as type: ResourceDataType) throws -> LwM2MValue {
        switch (type, self) {
        case (.string, .text(let text)): return .string(text)
        case (.integer, .integer(let number)): return .integer(number)
        case (.integer, .unsigned(let number)) where number <= UInt64(Int64.max): return .integer(Int64(number))
        case (.time, .integer(let number)): return .time(number)
        case (.time, .unsigned(let number)) where number <= UInt64(Int64.max): return .time(Int64(number))
        case (.unsignedInteger, .unsigned(let number)): return .unsignedInteger(number)
        case (.unsignedInteger, .integer(let number)) where number >= 0: return .unsignedInteger(UInt64(number))
        case (.float, .real(let number)): return .float(number)
        case (.float, .integer(let number)): return .float(Double(number))
        case (.float, .unsigned(let number)): return .float(Double(number))
        case (.float, .text("nan")): return .float(.nan)
        case (.float, .text("inf")): return .float(.infinity)
        case (.float, .text("-inf")): return .float(-.infinity)
        case (.boolean, .flag(let flag)): return .boolean(flag)
        case (.opaque, .text(let base64)):
            guard let data = Data(base64Encoded: base64) else { throw StoredNode.malformed("opaque value is not base64") }
            return .opaque([UInt8](data))
        case (.objlnk, .text(let text)):
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let objectID = UInt16(parts[0]), let instanceID = UInt16(parts[1]) else {
                throw StoredNode.malformed("objlnk '\(text)'")
            }
            return .objlnk(objectID: objectID, instanceID: instanceID)
        case (.corelnk, .text(let text)):
            do {
                return .corelnk(try LinkFormat.parse(text))
            } catch {
                throw StoredNode.malformed("corelnk: \(error)")
            }
        default:
            throw StoredNode.malformed("a \(type.rawValue) value stored as \(self)")
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = .flag(flag)
        } else if let number = try? container.decode(Int64.self) {
            self = .integer(number)
        } else if let number = try? container.decode(UInt64.self) {
            self = .unsigned(number)
        } else if let number = try? container.decode(Double.self) {
            self = .real(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .integer(let number): try container.encode(number)
        case .unsigned(let number): try container.encode(number)
        case .real(let number): try container.encode(number)
        case .flag(let flag): try container.encode(flag)
        }
    }
}
