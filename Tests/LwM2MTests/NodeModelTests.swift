import Foundation
import Testing
@testable import LwM2M

@Suite("Node model")
struct NodeModelTests {
    @Test("rejects duplicate ids and reserved instance ids")
    func validation() {
        expectCodecError(.duplicateID) { () throws(LwM2MCodecError) in
            try LwM2MObjectInstance(id: 0, resources: [.single(id: 1, value: .integer(1)), .single(id: 1, value: .integer(2))])
        }
        expectCodecError(.invalidPath) { () throws(LwM2MCodecError) in try LwM2MObjectInstance(id: 65535, resources: []) }
        expectCodecError(.duplicateID) { () throws(LwM2MCodecError) in
            try LwM2MObject(id: 1, instances: [try LwM2MObjectInstance(id: 0, resources: []),
                                               try LwM2MObjectInstance(id: 0, resources: [])])
        }
        expectCodecError(.typeMismatch) { () throws(LwM2MCodecError) in
            try LwM2MResource.multiple(id: 6, type: .integer, instances: [0: .integer(1), 1: .string("x")])
        }
    }

    @Test("carries data types, shapes and depth")
    func accessors() throws {
        #expect(LwM2MValue.objlnk(objectID: 3, instanceID: 0).dataType == .objlnk)
        #expect(LwM2MValue.corelnk([]).dataType == .corelnk)
        #expect(LwM2MValue.time(Date(timeIntervalSince1970: 1_367_491_215.9)) == .time(1_367_491_215))
        #expect(LwM2MValue.time(10).date == Date(timeIntervalSince1970: 10))
        let multiple = try LwM2MResource.multiple(id: 6, type: .integer, instances: [0: .integer(1)])
        #expect(multiple.isMultiple && multiple.value == nil && multiple.instances == [0: .integer(1)])
        let single = LwM2MResource.single(id: 9, value: .integer(100))
        #expect(!single.isMultiple && single.value == .integer(100) && single.type == .integer)
        #expect(LwM2MNode.resource(single).depth == 3 && LwM2MNode.resource(single).id == 9)
        try LwM2MNode.resource(single).validate(at: lwPath("/3/0/9"))
        expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in try LwM2MNode.resource(single).validate(at: lwPath("/3/0/8")) }
        expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in try LwM2MNode.resource(single).validate(at: lwPath("/3/0")) }
    }
}
