import CoAP
import Foundation
import Testing
@testable import LwM2M

/// The project's object definitions (`ObjectDefinitions/`), loaded once for the client tests.
let clientModel: ObjectModelRegistry = {
    let loaded = ObjectModelRegistry.loadBuiltin().registry
    precondition(loaded.object(3303) != nil, "ObjectDefinitions/ not found")
    return loaded
}()

/// A fixed instant for requests.
let clientNow = Date(timeIntervalSince1970: 1_700_000_000)

/// A path from a literal known to be valid.
func clientPath(_ text: String) -> LwM2MPath { try! LwM2MPath(text) }

/// An instance from resources known to be valid.
func clientInstance(_ id: UInt16, _ resources: [LwM2MResource]) -> LwM2MObjectInstance {
    try! LwM2MObjectInstance(id: id, resources: resources)
}

/// A multiple resource known to be valid.
func clientMultiple(_ id: UInt16, _ type: ResourceDataType, _ instances: [UInt16: LwM2MValue]) -> LwM2MResource {
    try! LwM2MResource.multiple(id: id, type: type, instances: instances)
}

/// The Device instance of the fixture tree (`/3/0`).
let clientDeviceInstance = clientInstance(0, [
    .single(id: 0, value: .string("lwm2m-sim")),
    .single(id: 1, value: .string("sim-model")),
    .single(id: 2, value: .string("sim-1")),
    .single(id: 3, value: .string("1.0.0")),
    clientMultiple(6, .integer, [0: .integer(1), 1: .integer(5)]),
    clientMultiple(7, .integer, [0: .integer(3800), 1: .integer(5000)]),
    .single(id: 9, value: .integer(100)),
    .single(id: 10, value: .integer(15)),
    clientMultiple(11, .integer, [0: .integer(0)]),
    .single(id: 13, value: .time(1_700_000_000)),
    .single(id: 14, value: .string("+01:00")),
    .single(id: 16, value: .string("U")),
])

/// The fixture tree: Security `/0/0`, Server `/1/0`, Device `/3/0` (executables 4 and 5 only), Firmware Update
/// `/5/0`, Binary App Data `/19/0`, Temperature `/3303/0`, and Humidity `/3304` without instances.
func clientTree(defaultFormat: ContentFormat = .tlv) -> ClientObjectTree {
    var tree = ClientObjectTree(model: clientModel, defaultFormat: defaultFormat)
    try! tree.setInstance(clientInstance(0, [
        .single(id: 0, value: .string("coap://127.0.0.1:5683")),
        .single(id: 1, value: .boolean(false)),
        .single(id: 2, value: .integer(3)),
        .single(id: 10, value: .integer(1)),
    ]), of: 0)
    try! tree.setInstance(clientInstance(0, [
        .single(id: 0, value: .integer(1)),
        .single(id: 1, value: .integer(300)),
        .single(id: 6, value: .boolean(false)),
        .single(id: 7, value: .string("U")),
    ]), of: 1)
    try! tree.setInstance(clientDeviceInstance, of: 3, executables: [4, 5])
    try! tree.setInstance(clientInstance(0, [
        .single(id: 1, value: .string("")),
        .single(id: 3, value: .integer(0)),
        .single(id: 5, value: .integer(0)),
    ]), of: 5)
    try! tree.setInstance(clientInstance(0, [clientMultiple(0, .opaque, [0: .opaque([1, 2, 3])])]), of: 19)
    try! tree.setInstance(clientInstance(0, [
        .single(id: 5601, value: .float(20)),
        .single(id: 5602, value: .float(23)),
        .single(id: 5700, value: .float(21.5)),
        .single(id: 5701, value: .string("Cel")),
        .single(id: 5750, value: .string("room")),
    ]), of: 3303)
    try! tree.addObject(3304)
    return tree
}

/// A CoAP request with the path given as text (`"/3/0/1"`, `"/"`).
func clientRequest(
    _ method: CoAPMethod, _ path: String, query: [String] = [], format: ContentFormat? = nil,
    accept: ContentFormat? = nil, payload: [UInt8] = []
) -> CoAPRequest {
    CoAPRequest(
        method: method, uriPath: path.split(separator: "/").map(String.init), uriQuery: query,
        contentFormat: format?.rawValue, accept: accept?.rawValue, payload: payload)
}

/// Encodes `node` at `path` for a request payload.
func clientEncode(_ node: LwM2MNode, at path: String, _ format: ContentFormat) -> [UInt8] {
    try! LwM2MCodecRegistry.standard.encode(node, at: clientPath(path), format: format, model: clientModel)
}

/// Decodes a response payload at `path`.
func clientDecode(_ response: CoAPResponse, at path: String) throws -> LwM2MNode {
    let format = ContentFormat(rawValue: try #require(response.contentFormat))
    return try LwM2MCodecRegistry.standard.decode(response.payload, format: format, path: clientPath(path),
                                                  model: clientModel)
}

/// The payload as text.
func clientText(_ response: CoAPResponse) -> String { response.payloadText }

/// The formats that carry every node kind.
let clientNodeFormats: [ContentFormat] = [.tlv, .senmlJSON, .senmlCBOR, .lwm2mJSON]
/// Every node format, single-value ones included.
let clientAllFormats: [ContentFormat] = [.text, .opaque, .cbor, .tlv, .senmlJSON, .senmlCBOR, .lwm2mJSON]
