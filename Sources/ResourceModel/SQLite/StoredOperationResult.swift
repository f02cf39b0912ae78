import Foundation
import GRDB
import LwM2M

/// `endpoint_operation.result` as JSON.
struct StoredOperationResult: Codable, Equatable {
    var code: String
    var format: String?
    var node: StoredNode?
    var nodes: [String: StoredNode]?
    var links: String?
    var location: String?
    var observationIds: [String]?

    init(_ result: OperationResult) {
        code = result.code
        format = result.format
        node = result.node.map(StoredNode.init)
        nodes = result.nodes.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key.description, StoredNode($0.value)) }) }
        links = result.links.map { String(decoding: LinkFormatCodec().encode($0), as: UTF8.self) }
        location = result.location?.description
        observationIds = result.observationIDs
    }

    func result() throws -> OperationResult {
        var nodesByPath: [LwM2MPath: LwM2MNode]?
        if let nodes {
            var decoded: [LwM2MPath: LwM2MNode] = [:]
            for (key, stored) in nodes { decoded[try LwM2MPath(key)] = try stored.node() }
            nodesByPath = decoded
        }
        return OperationResult(
            code: code, format: format, node: try node?.node(), nodes: nodesByPath,
            links: try links.map { try LinkFormatCodec().decode(Array($0.utf8)) },
            location: try location.map { try LwM2MPath($0) },
            observationIDs: observationIds)
    }
}
