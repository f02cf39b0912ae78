import CoAP
import Foundation
import Testing
@testable import LwM2M

/// Send (LwM2M 1.1 Core §6.4.6): `POST /dp` with timestamped SenML.
struct ClientSendTests {
    static let paths = ["/3303/0/5700", "/3/0/9"].map(clientPath)

    @Test(arguments: [ContentFormat.senmlJSON, .senmlCBOR])
    func sendCarriesTheValuesWithTheirTime(format: ContentFormat) throws {
        let tree = clientTree()
        let measured = Date(timeIntervalSince1970: 1_763_863_200.1234)
        let send = try tree.send(Self.paths, format: format, measuredAt: measured)
        #expect(send.request.method == .post)
        #expect(send.request.uriPath == ["dp"])
        #expect(send.request.contentFormat == format.rawValue)
        #expect(send.request.confirmable)
        let groups = try LwM2MCodecRegistry.standard.decodeTimestamped(
            send.request.payload, format: format, paths: Self.paths, model: clientModel)
        #expect(groups == [TimestampedNodes(timestamp: 1_763_863_200.123, nodes: [
            clientPath("/3303/0/5700"): .singleResource(id: 5700, value: .float(21.5)),
            clientPath("/3/0/9"): .singleResource(id: 9, value: .integer(100)),
        ])])
        let time = Date(timeIntervalSince1970: 1_763_863_200.123)
        #expect(send.values == [
            ClientReportedValue(path: clientPath("/3/0/9"), value: .integer(100), time: time),
            ClientReportedValue(path: clientPath("/3303/0/5700"), value: .float(21.5), time: time),
        ])
    }

    @Test func senMLJSONSendIsByteExact() throws {
        let send = try clientTree().send([clientPath("/3303/0/5700")], format: .senmlJSON,
                                         measuredAt: Date(timeIntervalSince1970: 1_763_863_200))
        #expect(String(decoding: send.request.payload, as: UTF8.self) == #"[{"bn":"/3303/0/5700","bt":1763863200,"v":21.5}]"#)
    }

    @Test func untimedSendHasNoTime() throws {
        let send = try clientTree().send([clientPath("/3303/0")], format: .senmlJSON, measuredAt: nil)
        let groups = try LwM2MCodecRegistry.standard.decodeTimestamped(
            send.request.payload, format: .senmlJSON, model: clientModel)
        #expect(groups.map(\.timestamp) == [nil])
        #expect(send.values.count == 5)
        #expect(send.values.allSatisfy { $0.time == nil })
    }

    @Test func sendRefusesOtherFormatsAndMissingPaths() {
        let tree = clientTree()
        #expect(throws: LwM2MCodecError.self) { try tree.send(Self.paths, format: .tlv, measuredAt: nil) }
        do {
            _ = try tree.send([clientPath("/3304/0/5700")], format: .senmlCBOR, measuredAt: nil)
            Issue.record("a missing path was sent")
        } catch {
            #expect(error.kind == .invalidPath)
        }
    }
}
