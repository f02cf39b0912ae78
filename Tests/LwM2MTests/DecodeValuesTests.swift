import Foundation
import Testing

@testable import LwM2M

/// `decodeValues`: reports decoded once, straight from their records to values, with the checks and the order
/// of the node route (`decodeTimestamped` with no requested paths, flattened group by group).
@Suite("Multi-value payloads decoded straight to values")
struct DecodeValuesTests {
    let model = CodecTestModel.standard
    let codecs = LwM2MCodecRegistry.standard

    /// The node route, as reports took it before: groups of nodes, each flattened in path order.
    func throughNodes(_ bytes: [UInt8], _ format: ContentFormat) throws -> [ReportedValue] {
        try codecs.decodeTimestamped(bytes, format: format, model: model).flatMap { group in
            let time = group.timestamp.map { Date(timeIntervalSince1970: $0) }
            return group.nodes.sorted { $0.key < $1.key }.flatMap { path, node in
                node.leaves(at: path).map { ReportedValue(path: $0.path, value: $0.value, timestamp: time) }
            }
        }
    }

    static let timedSenML = """
        [{"bn":"/3/0/","n":"14","vs":"+02:00"},
         {"bn":"/3303/0/","bt":1700000000,"n":"5700","v":21.5},
         {"n":"5700","t":-10,"v":21.0},
         {"n":"5701","vs":"Cel"},
         {"bn":"/3/0/","n":"7/1","v":3800,"t":-10},
         {"n":"7/0","v":5000,"t":-10}]
        """

    @Test("the same values in the same order as the node route, in all three formats")
    func sameAsTheNodeRoute() throws {
        let deviceCBOR = try codecs.encode(.objectInstance(DeviceExample.instance), at: lwPath("/3/0"),
                                           format: .senmlCBOR, model: model)
        let timedCBOR = try codecs.encodeTimestamped(
            try codecs.decodeTimestamped(utf8Bytes(Self.timedSenML), format: .senmlJSON, model: model),
            format: .senmlCBOR, model: model)
        let payloads: [(ContentFormat, [UInt8])] = [
            (.senmlJSON, utf8Bytes(SenMLVectors.lwm2mDeviceInstance)),
            (.senmlJSON, utf8Bytes(Self.timedSenML)),
            (.senmlCBOR, deviceCBOR),
            (.senmlCBOR, timedCBOR),
            (.lwm2mJSON, utf8Bytes(LwM2MJSONCodecTests.deviceExample)),
        ]
        for (format, bytes) in payloads {
            let values = try codecs.decodeValues(bytes, format: format, model: model)
            #expect(values == (try throughNodes(bytes, format)), "\(format)")
            #expect(!values.isEmpty)
        }
    }

    @Test("untimed values first, then newest first; path order within one time")
    func order() throws {
        let values = try codecs.decodeValues(utf8Bytes(Self.timedSenML), format: .senmlJSON, model: model)
        #expect(values.map(\.path.description) == [
            "/3/0/14",  // before any base time: untimed
            "/3303/0/5700", "/3303/0/5701",  // 1700000000
            "/3/0/7/0", "/3/0/7/1", "/3303/0/5700",  // 1699999990
        ])
        let times = values.map { $0.timestamp?.timeIntervalSince1970 }
        for (earlier, later) in zip(times, times.dropFirst()) {
            switch (earlier, later) {
            case (nil, _): break
            case (.some, nil): Issue.record("an untimed value after a timed one: \(times)")
            case (.some(let a), .some(let b)): #expect(a >= b, "\(times)")
            }
        }
        #expect(values.first { $0.path == lwPath("/3/0/7/1") }?.value == .integer(3800))
    }

    @Test("one path twice at one time is refused; at two times it is history")
    func duplicates() throws {
        expectCodecError(.duplicateID) { () throws(LwM2MCodecError) in
            try codecs.decodeValues(utf8Bytes(#"[{"n":"/3303/0/5700","v":1},{"n":"/3303/0/5700","v":2}]"#),
                                    format: .senmlJSON, model: model)
        }
        expectCodecError(.duplicateID) { () throws(LwM2MCodecError) in
            try codecs.decodeValues(
                utf8Bytes(#"[{"bt":1700000000,"n":"/3303/0/5700","v":1},{"n":"/3303/0/5700","v":2}]"#),
                format: .senmlJSON, model: model)
        }
        let history = try codecs.decodeValues(
            utf8Bytes(#"[{"bt":1700000000,"n":"/3303/0/5700","v":1},{"n":"/3303/0/5700","t":5,"v":2}]"#),
            format: .senmlJSON, model: model)
        #expect(history.map(\.value) == [.float(2), .float(1)])
        #expect(history.map { $0.timestamp?.timeIntervalSince1970 } == [1_700_000_005, 1_700_000_000])
    }

    @Test("the model's checks hold: instance ids for multiple resources, types, resource depth")
    func modelChecks() {
        // /3/0/7 (Power Source Voltage) is a multiple-instance resource: a value needs an instance id.
        expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in
            try codecs.decodeValues(utf8Bytes(#"[{"n":"/3/0/7","v":3800}]"#), format: .senmlJSON, model: model)
        }
        expectCodecError(.typeMismatch) { () throws(LwM2MCodecError) in
            try codecs.decodeValues(utf8Bytes(#"[{"n":"/3303/0/5700","vs":"warm"}]"#), format: .senmlJSON, model: model)
        }
        expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in
            try codecs.decodeValues(utf8Bytes(#"[{"n":"/3303/0","v":1}]"#), format: .senmlJSON, model: model)
        }
        // Nothing but the multi-value formats.
        expectCodecError(.unsupportedContentFormat) { () throws(LwM2MCodecError) in
            try codecs.decodeValues(utf8Bytes("21.5"), format: .text, model: model)
        }
    }
}
