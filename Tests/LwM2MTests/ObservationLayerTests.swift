import CoAP
import Foundation
import Logging
import Synchronization
import Testing

@testable import LwM2M

/// Leaves of nodes, the observation table, and how notifications and Sends become reports.
struct ObservationLayerTests {
    let model = ObjectModelRegistry.loadBuiltin().registry

    @Test func leavesFlattenEveryNodeKind() throws {
        let instance = try LwM2MObjectInstance(id: 0, resources: [
            .single(id: 5700, value: .float(21.5)),
            try .multiple(id: 6, type: .integer, instances: [1: .integer(5), 0: .integer(1)]),
        ])
        let leaves = LwM2MNode.objectInstance(instance).leaves(at: try LwM2MPath("/3303/0"))
        #expect(leaves.map(\.path.description) == ["/3303/0/6/0", "/3303/0/6/1", "/3303/0/5700"])
        #expect(leaves.map(\.value) == [.integer(1), .integer(5), .float(21.5)])
        let single = LwM2MNode.resource(.single(id: 0, value: .string("x"))).leaves(at: try LwM2MPath("/3/0/0"))
        #expect(single.map(\.path.description) == ["/3/0/0"])
        let object = LwM2MNode.object(try LwM2MObject(id: 3303, instances: [instance])).leaves(at: try LwM2MPath("/3303"))
        #expect(object.count == 3)
    }

    @Test func tableFindsByTokenAndEndpointAndRemoves() throws {
        var table = ObservationTable()
        func observation(_ id: String, _ endpoint: String, _ token: UInt8, at seconds: Double) throws -> Observation {
            Observation(id: id, endpoint: endpoint, registrationID: "r", paths: [try LwM2MPath("/3303/0/5700")],
                        composite: false, token: [token], format: .senmlJSON, attributes: nil,
                        createdAt: Date(timeIntervalSince1970: seconds))
        }
        table.add(try observation("b", "dev", 2, at: 2))
        table.add(try observation("a", "dev", 1, at: 1))
        table.add(try observation("c", "other", 3, at: 3))
        #expect(table.observation(token: [2])?.id == "b")
        #expect(table.observations(endpoint: "dev").map(\.id) == ["a", "b"])
        #expect(table.remove(ids: ["a", "c"]).map(\.id).sorted() == ["a", "c"])
        #expect(table.observation(token: [1]) == nil)
        #expect(table.observations(endpoint: "other").isEmpty)
        #expect(table.count == 1)
    }

    final class Reports: Sendable {
        let list = Mutex<[DeviceReport]>([])
        let accept = Mutex(true)
        func sink(_ report: DeviceReport) -> Bool {
            guard accept.withLock({ $0 }) else { return false }
            list.withLock { $0.append(report) }
            return true
        }
        var all: [DeviceReport] { list.withLock { $0 } }
    }

    func receiver(_ reports: Reports) -> ReportReceiver {
        ReportReceiver(model: model, logger: Logger(label: "test"), clock: { Date(timeIntervalSince1970: 1_000) },
                       sink: { reports.sink($0) })
    }

    @Test func notificationsAreDecodedByTokenAndUnknownTokensRejected() throws {
        let reports = Reports()
        let receiver = receiver(reports)
        let path = try LwM2MPath("/3303/0/5700")
        receiver.clients.withLock {
            $0.observations.add(Observation(id: "obs1", endpoint: "dev", registrationID: "r", paths: [path], composite: false,
                               token: [9, 9], format: .tlv, attributes: nil, createdAt: Date()))
        }
        let payload = try LwM2MCodecRegistry.standard.encode(.resource(.single(id: 5700, value: .float(22.25))), at: path, format: .tlv, model: model)
        let accepted = receiver.handleUnsolicited(CoAPUnsolicitedResponse(
            session: CoAPSessionID(rawValue: 1), peerAddress: "x", token: [9, 9],
            response: CoAPResponse(code: .content, contentFormat: 11542, payload: payload, observe: 3)))
        #expect(accepted)
        #expect(reports.all == [DeviceReport(endpoint: "dev", kind: .notification(observationID: "obs1"),
                                             receivedAt: Date(timeIntervalSince1970: 1_000),
                                             values: [ReportedValue(path: path, value: .float(22.25))])])
        #expect(!receiver.handleUnsolicited(CoAPUnsolicitedResponse(
            session: CoAPSessionID(rawValue: 1), peerAddress: "x", token: [1], response: CoAPResponse(code: .content))))

        // Undecodable: acknowledged (the observation stays), counted, nothing stored.
        #expect(receiver.handleUnsolicited(CoAPUnsolicitedResponse(
            session: CoAPSessionID(rawValue: 1), peerAddress: "x", token: [9, 9],
            response: CoAPResponse(code: .content, contentFormat: 11542, payload: [0xC8, 0x00]))))
        #expect(reports.all.count == 1)
        #expect(receiver.statistics.undecodable == 1)
        #expect(receiver.statistics.unknownTokens == 1)
    }

    @Test(arguments: ["1e16", "1e300", "-1e300", "1e15"])
    func aNotificationWithATimeOutOfRangeIsDroppedAndCountedNotStored(time: String) throws {
        let reports = Reports()
        let receiver = receiver(reports)
        let path = try LwM2MPath("/3303/0/5700")
        receiver.clients.withLock {
            $0.observations.add(Observation(id: "obs1", endpoint: "dev", registrationID: "r", paths: [path], composite: false,
                               token: [7], format: .senmlJSON, attributes: nil, createdAt: Date()))
        }
        let payload = Array(#"[{"n":"/3303/0/5700","v":21.5,"t":"#.utf8) + Array(time.utf8) + Array("}]".utf8)
        let kept = receiver.handleUnsolicited(CoAPUnsolicitedResponse(
            session: CoAPSessionID(rawValue: 1), peerAddress: "x", token: [7],
            response: CoAPResponse(code: .content, contentFormat: 110, payload: payload, observe: 4)))
        #expect(kept, "acknowledged: the observation stays for the next, valid notification")
        #expect(reports.all.isEmpty)
        #expect(receiver.statistics.undecodable == 1)
        #expect(receiver.clients.withLock { $0.observations.count } == 1)
    }

    @Test func aFullSinkDropsANotificationBeforeDecodingIt() throws {
        let reports = Reports()
        let full = Mutex(true)
        let receiver = ReportReceiver(
            model: model, logger: Logger(label: "test"), clock: { Date() }, sink: { reports.sink($0) },
            sinkIsFull: { full.withLock { $0 } })
        let path = try LwM2MPath("/3303/0/5700")
        receiver.clients.withLock {
            $0.observations.add(Observation(id: "obs1", endpoint: "dev", registrationID: "r", paths: [path],
                                            composite: false, token: [5], format: .text, attributes: nil,
                                            createdAt: Date()))
        }
        func notify(_ payload: String) -> Bool {
            receiver.handleUnsolicited(CoAPUnsolicitedResponse(
                session: CoAPSessionID(rawValue: 1), peerAddress: "x", token: [5],
                response: CoAPResponse(code: .content, contentFormat: 110, payload: Array(payload.utf8), observe: 2)))
        }
        // Not even looked at (this payload is not SenML): refused as the full sink would, the observation kept.
        #expect(notify("not senml"))
        #expect(receiver.statistics.undecodable == 0)
        #expect(receiver.statistics.rejectedByConsumer == 1)
        #expect(reports.all.isEmpty)
        full.withLock { $0 = false }
        #expect(notify(#"[{"n":"/3303/0/5700","v":20.5}]"#))
        #expect(reports.all.count == 1)
    }

    /// Regression: the sink once lived in a `Mutex` and every read through `withLock`'s `inout` wrapped it in two
    /// more reabstraction thunks; after ~5,000 notifications the call overflowed the CoAP I/O thread's stack.
    @Test func theSinkStaysCallableForever() throws {
        let count = Mutex(0)
        let receiver = ReportReceiver(model: model, logger: Logger(label: "test"), clock: { Date() },
                                      sink: { _ in count.withLock { $0 += 1 }; return true })
        let path = try LwM2MPath("/3303/0/5700")
        receiver.clients.withLock {
            $0.observations.add(Observation(id: "o", endpoint: "dev", registrationID: "r", paths: [path], composite: false,
                               token: [7], format: .text, attributes: nil, createdAt: Date()))
        }
        for value in 0..<60_000 {
            _ = receiver.handleUnsolicited(CoAPUnsolicitedResponse(
                session: CoAPSessionID(rawValue: 1), peerAddress: "x", token: [7],
                response: CoAPResponse(code: .content, contentFormat: 0, payload: Array("\(value)".utf8))))
        }
        #expect(count.withLock { $0 } == 60_000)
    }

    @Test func sendKeepsTheClientsTimesAndRefusesBadPayloads() throws {
        let reports = Reports()
        let receiver = receiver(reports)
        let registration = Registration(
            id: "r", endpoint: "dev", lwm2mVersion: .v1_1, binding: "U", queueMode: false, lifetime: 60,
            objectLinks: [], address: "x", registeredAt: Date(), lastUpdate: Date())
        let json = #"[{"bn":"/3303/0/","bt":1800000000,"n":"5700","v":21.5},{"n":"5700","t":10,"v":22.5}]"#
        let ok = receiver.handleSend(CoAPRequest(method: .post, uriPath: ["dp"], contentFormat: 110, payload: Array(json.utf8)),
                                     registration: registration)
        #expect(ok.code == .changed)
        let values = try #require(reports.all.first).values
        #expect(values.map(\.value) == [.float(21.5), .float(22.5)] || values.map(\.value) == [.float(22.5), .float(21.5)])
        #expect(Set(values.compactMap(\.timestamp)) == [Date(timeIntervalSince1970: 1_800_000_000), Date(timeIntervalSince1970: 1_800_000_010)])

        let garbage = receiver.handleSend(CoAPRequest(method: .post, uriPath: ["dp"], contentFormat: 110, payload: Array("[{".utf8)),
                                          registration: registration)
        #expect(garbage.code == .badRequest)
        let wrongFormat = receiver.handleSend(CoAPRequest(method: .post, uriPath: ["dp"], contentFormat: 11542, payload: [1]),
                                              registration: registration)
        #expect(wrongFormat.code == .unsupportedContentFormat)
        reports.accept.withLock { $0 = false }
        let busy = receiver.handleSend(CoAPRequest(method: .post, uriPath: ["dp"], contentFormat: 110, payload: Array(json.utf8)),
                                       registration: registration)
        #expect(busy.code == .serviceUnavailable)
        #expect(reports.all.count == 1)
    }
}
