import CoAP
import Foundation
import Testing
@testable import LwM2M

/// Observe-Composite (FETCH `/` with Observe and a SenML path list, LwM2M 1.1 Core §6.4.3) on the client tree.
struct ClientObserveCompositeTests {
    static let paths = ["/3303/0/5700", "/3/0/9"].map(clientPath)

    func decode(_ response: CoAPResponse, _ format: ContentFormat) throws -> [LwM2MPath: LwM2MNode] {
        try LwM2MCodecRegistry.standard.decodeNodes(response.payload, format: format, paths: Self.paths,
                                                    model: clientModel)
    }

    @Test(arguments: [ContentFormat.senmlJSON, .senmlCBOR], [ContentFormat?.none, .senmlJSON, .senmlCBOR])
    func compositeObserveNotifiesEveryPath(format: ContentFormat, accept: ContentFormat?) throws {
        var tree = clientTree()
        let answered = accept ?? format
        let response = tree.observe(observeCompositeRequest(Self.paths.map(\.description), format: format,
                                                            accept: accept))
        #expect(response.code == .content)
        #expect(response.observe == 1)
        #expect(response.contentFormat == answered.rawValue)
        #expect(try decode(response, answered) == [
            clientPath("/3303/0/5700"): .singleResource(id: 5700, value: .float(21.5)),
            clientPath("/3/0/9"): .singleResource(id: 9, value: .integer(100)),
        ])
        let observation = try #require(tree.observations.all.first)
        #expect(observation.isComposite)
        #expect(observation.paths == Self.paths)
        #expect(observation.format == answered)

        tree.setTemperature(19.75)
        let notification = try #require(tree.dueNotifications(now: observeTime(1)).first)
        #expect(notification.response.observe == 2)
        #expect(notification.paths == Self.paths)
        #expect(try decode(notification.response, answered) == [
            clientPath("/3303/0/5700"): .singleResource(id: 5700, value: .float(19.75)),
            clientPath("/3/0/9"): .singleResource(id: 9, value: .integer(100)),
        ])
        #expect(notification.values == [
            ClientReportedValue(path: clientPath("/3/0/9"), value: .integer(100)),
            ClientReportedValue(path: clientPath("/3303/0/5700"), value: .float(19.75)),
        ])
        #expect(tree.observations.all.first?.lastReportedValues == notification.values)
    }

    @Test func eachPathKeepsItsOwnAttributes() {
        var tree = clientTree()
        tree.writeAttributes("/3/0/9", ["pmin=10"])
        tree.writeAttributes("/3303/0/5700", ["pmax=100"])
        _ = tree.observe(observeCompositeRequest(Self.paths.map(\.description)))
        try! tree.setValue(.integer(90), at: clientPath("/3/0/9"))
        tree.expectNotified([], at: 5)
        tree.expectNotified([2], at: 10)
        tree.setTemperature(25)
        tree.expectNotified([3], at: 11)
        tree.expectNotified([], at: 110)
        tree.expectNotified([4], at: 111)
    }

    @Test func rootObservesEveryVisibleObject() throws {
        var tree = clientTree()
        let response = tree.observe(observeCompositeRequest(["/"], format: .senmlCBOR))
        #expect(response.code == .content)
        #expect(tree.observations.all.first?.lastValues.keys.sorted()
            == [1, 3, 5, 19, 3303, 3304].map { LwM2MPath(objectID: $0) })
        tree.setTemperature(30)
        let notification = try #require(tree.dueNotifications(now: observeTime(1)).first)
        #expect(notification.values.contains(ClientReportedValue(path: clientPath("/3303/0/5700"), value: .float(30))))
        #expect(!notification.values.contains { $0.path.objectID == 0 })
    }

    @Test func cancelByObserveOneWithTheSameTokenOrTheSameList() {
        var tree = clientTree()
        _ = tree.observe(observeCompositeRequest(Self.paths.map(\.description)))
        _ = tree.observe(observeCompositeRequest(["/3/0/9"]), token: [1])
        _ = tree.observe(observeRequest("/3303/0/5700"), token: [2])
        let cancelled = tree.observe(observeCompositeRequest(Self.paths.map(\.description), observe: 1), token: [3])
        #expect(cancelled.code == .content)
        #expect(cancelled.observe == nil)
        #expect(tree.observations.all.map(\.token) == [[1], [2]])
        _ = tree.observe(observeCompositeRequest(["/3303/0/5700"], observe: 1), token: [1])
        #expect(tree.observations.all.map(\.token) == [[2]])
    }

    @Test func failedCompositeObserveRegistersNothing() {
        var tree = clientTree()
        var answer = tree.observe(observeCompositeRequest(["/3303/0/5603"]))
        #expect(answer.code == .notFound)
        answer = tree.observe(observeCompositeRequest(["/0/0"]))
        #expect(answer.code == .unauthorized)
        answer = tree.observe(observeCompositeRequest(["/3/0/9"], accept: .tlv))
        #expect(answer.code == .notAcceptable)
        var notRoot = observeCompositeRequest(["/3/0/9"])
        notRoot.uriPath = ["3"]
        answer = tree.observe(notRoot)
        #expect(answer.code == .methodNotAllowed)
        #expect(tree.observations.isEmpty)
    }
}
