import Testing
@testable import LwM2M

/// Encode → decode through the registry for every format and every node kind it carries, with every data type.
@Suite("Round trips: format × node kind × data type")
struct RoundTripTests {
    let registry = LwM2MCodecRegistry.standard
    let model = CodecTestModel.standard

    static let singleValueFormats: [ContentFormat] = [.text, .cbor]
    static let allNodeFormats: [ContentFormat] = [.tlv, .lwm2mJSON, .senmlJSON, .senmlCBOR]

    func roundTrip(_ node: LwM2MNode, at path: LwM2MPath, _ format: ContentFormat,
                   sourceLocation: SourceLocation = #_sourceLocation) throws
    {
        let bytes = try registry.encode(node, at: path, format: format, model: model)
        let decoded = try registry.decode(bytes, format: format, path: path, model: model)
        #expect(decoded == node, "\(format) at \(path): \(hexString(bytes))", sourceLocation: sourceLocation)
    }

    @Test("single resources of every data type", arguments: singleValueFormats + allNodeFormats)
    func singleResources(format: ContentFormat) throws {
        for (index, type) in AllTypes.types.enumerated() {
            for value in AllTypes.samples(type) {
                let resourceID = UInt16(index)
                try roundTrip(.singleResource(id: resourceID, value: value),
                              at: try LwM2MPath(objectID: AllTypes.objectID, instanceID: 0, resourceID: resourceID), format)
            }
        }
    }

    @Test("resource instances of every data type", arguments: singleValueFormats + allNodeFormats)
    func resourceInstances(format: ContentFormat) throws {
        for (index, type) in AllTypes.types.enumerated() {
            for value in AllTypes.samples(type) {
                let at = try LwM2MPath(objectID: AllTypes.objectID, instanceID: 0, resourceID: UInt16(10 + index),
                                       resourceInstanceID: 7)
                try roundTrip(.resourceInstance(LwM2MResourceInstance(id: 7, value: value)), at: at, format)
            }
        }
    }

    @Test("multiple resources, object instances and objects", arguments: allNodeFormats)
    func containers(format: ContentFormat) throws {
        let instance = AllTypes.instance(0)
        for (resourceID, resource) in instance.resources where resource.isMultiple {
            try roundTrip(.resource(resource),
                          at: try LwM2MPath(objectID: AllTypes.objectID, instanceID: 0, resourceID: resourceID), format)
        }
        try roundTrip(.objectInstance(instance), at: try LwM2MPath(objectID: AllTypes.objectID, instanceID: 0), format)
        let object = try LwM2MObject(id: AllTypes.objectID, instances: [AllTypes.instance(0), AllTypes.instance(3)])
        try roundTrip(.object(object), at: LwM2MPath(objectID: AllTypes.objectID), format)
        try roundTrip(.object(try LwM2MObject(id: 3, instances: [DeviceExample.instance])), at: lwPath("/3"), format)
    }

    @Test("opaque format carries opaque values of single resources and resource instances")
    func opaque() throws {
        for value in AllTypes.samples(.opaque) {
            try roundTrip(.singleResource(id: 5, value: value), at: lwPath("/9999/0/5"), .opaque)
            try roundTrip(.resourceInstance(LwM2MResourceInstance(id: 7, value: value)), at: lwPath("/9999/0/15/7"), .opaque)
        }
    }

    @Test("TLV keeps empty instances and empty multiple resources", arguments: [ContentFormat.tlv])
    func emptyContainers(format: ContentFormat) throws {
        let object = try LwM2MObject(id: 1, instances: [try LwM2MObjectInstance(id: 0, resources: []),
                                                         try LwM2MObjectInstance(id: 5, resources: [])])
        try roundTrip(.object(object), at: lwPath("/1"), format)
        let empty = try LwM2MObjectInstance(id: 0, resources: [try .multiple(id: 6, type: .integer, instances: [:])])
        try roundTrip(.objectInstance(empty), at: lwPath("/3/0"), format)
        #expect(try registry.encode(.objectInstance(empty), at: lwPath("/3/0"), format: format, model: model) == hexBytes("80 06"))
    }

    @Test("single-value formats refuse containers", arguments: singleValueFormats + [ContentFormat.opaque])
    func singleValueRestrictions(format: ContentFormat) throws {
        let multiple = LwM2MNode.resource(try .multiple(id: 6, type: .integer, instances: [0: .integer(1)]))
        for (node, at) in [(multiple, lwPath("/3/0/6")), (.objectInstance(DeviceExample.instance), lwPath("/3/0")),
                           (.object(try LwM2MObject(id: 3, instances: [])), lwPath("/3"))] {
            expectCodecError(.unsupportedNode) { () throws(LwM2MCodecError) in
                try registry.encode(node, at: at, format: format, model: model)
            }
            expectCodecError(.unsupportedNode) { () throws(LwM2MCodecError) in
                try registry.decode([0x30], format: format, path: at, model: model)
            }
        }
    }

    @Test("encoders check values against the object model", arguments: singleValueFormats + allNodeFormats)
    func encodeTypeCheck(format: ContentFormat) {
        let error = expectCodecError(.typeMismatch) { () throws(LwM2MCodecError) in
            try registry.encode(.singleResource(id: 9, value: .float(1)), at: lwPath("/3/0/9"), format: format, model: model)
        }
        #expect(error?.path == lwPath("/3/0/9"))
    }
}
