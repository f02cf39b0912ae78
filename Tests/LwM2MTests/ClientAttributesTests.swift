import CoAP
import Foundation
import Testing
@testable import LwM2M

/// Write-Attributes (PUT with Uri-Query, no payload) on the client tree.
struct ClientAttributesTests {
    @Test func periodsAndThresholdsAreStored() {
        var tree = clientTree()
        let outcome = tree.process(
            clientRequest(.put, "/3303/0/5700", query: ["pmin=5", "pmax=30", "gt=25", "lt=10.5", "st=0.5", "epmin=1", "epmax=60"]),
            now: clientNow)
        #expect(outcome.response.code == .changed)
        #expect(outcome.event == nil)
        #expect(tree.attributes(at: clientPath("/3303/0/5700"))
            == NotificationAttributes(pmin: 5, pmax: 30, gt: 25, lt: 10.5, st: 0.5, epmin: 1, epmax: 60))
    }

    @Test func laterWritesMergeAndBareNamesRemove() {
        var tree = clientTree()
        _ = tree.handle(clientRequest(.put, "/3/0", query: ["pmin=5", "pmax=30"]), now: clientNow)
        #expect(tree.handle(clientRequest(.put, "/3/0", query: ["pmin", "epmax=9"]), now: clientNow).code == .changed)
        #expect(tree.attributes(at: clientPath("/3/0")) == NotificationAttributes(pmax: 30, epmax: 9))
        _ = tree.handle(clientRequest(.put, "/3/0", query: ["pmax", "epmax"]), now: clientNow)
        #expect(tree.attributes(at: clientPath("/3/0")) == nil)
    }

    @Test func objectResourceInstanceAndIntegerResourcesTakeAttributes() {
        var tree = clientTree()
        #expect(tree.handle(clientRequest(.put, "/3303", query: ["pmax=300"]), now: clientNow).code == .changed)
        #expect(tree.handle(clientRequest(.put, "/3/0/7/1", query: ["gt=4000"]), now: clientNow).code == .changed)
        #expect(tree.handle(clientRequest(.put, "/3/0/9", query: ["lt=20", "gt=80"]), now: clientNow).code == .changed)
        #expect(tree.attributes(at: clientPath("/3/0/7/1")) == NotificationAttributes(gt: 4000))
        #expect(tree.attributes(at: clientPath("/3303")) == NotificationAttributes(pmax: 300))
    }

    @Test(arguments: [
        (["bogus=1"], CoAPCode.badRequest), (["pmin=-1"], .badRequest), (["pmin=abc"], .badRequest),
        (["pmin="], .badRequest), (["pmin=1.5"], .badRequest), (["gt=abc"], .badRequest), (["gt=nan"], .badRequest),
        (["gt=1e999"], .badRequest), (["pmin=1", "pmin=2"], .badRequest), (["lt=30", "gt=20"], .badRequest),
        (["lt=20", "gt=20"], .badRequest), (["lt=10", "gt=20", "st=5"], .badRequest), (["st=-1"], .badRequest),
        (["dim=3"], .badRequest), (["ver=1.1"], .badRequest),
    ])
    func invalidAttributesAreBadRequests(query: [String], code: CoAPCode) {
        var tree = clientTree()
        let response = tree.handle(clientRequest(.put, "/3303/0/5700", query: query), now: clientNow)
        #expect(response.code == code, "\(query): \(response.payloadText)")
        #expect(tree.attributes(at: clientPath("/3303/0/5700")) == nil)
    }

    @Test func thresholdsNeedANumericResource() {
        var tree = clientTree()
        for path in ["/3303/0", "/3303", "/3303/0/5701", "/3/0/4"] {
            let response = tree.handle(clientRequest(.put, path, query: ["gt=1"]), now: clientNow)
            #expect(response.code == .badRequest, "\(path)")
        }
        #expect(tree.handle(clientRequest(.put, "/3303/0/5701", query: ["pmin=1"]), now: clientNow).code == .changed)
    }

    @Test func theExistingValuesTakePartInTheChecks() {
        var tree = clientTree()
        #expect(tree.handle(clientRequest(.put, "/3303/0/5700", query: ["gt=30"]), now: clientNow).code == .changed)
        #expect(tree.handle(clientRequest(.put, "/3303/0/5700", query: ["lt=40"]), now: clientNow).code == .badRequest)
        #expect(tree.attributes(at: clientPath("/3303/0/5700")) == NotificationAttributes(gt: 30))
    }

    @Test(arguments: [
        ("/3303/1", CoAPCode.notFound), ("/3303/0/5603", .notFound), ("/42", .notFound), ("/", .methodNotAllowed),
        ("/0/0", .unauthorized),
    ])
    func pathFailures(path: String, code: CoAPCode) {
        var tree = clientTree()
        #expect(tree.handle(clientRequest(.put, path, query: ["pmin=1"]), now: clientNow).code == code, "\(path)")
    }

    @Test func aPayloadWithAQueryIsABadRequest() {
        var tree = clientTree()
        let response = tree.handle(
            clientRequest(.put, "/1/0/1", query: ["pmin=1"], format: .text, payload: utf8Bytes("5")), now: clientNow)
        #expect(response.code == .badRequest)
        #expect(tree.value(at: clientPath("/1/0/1")) == .integer(300))
        #expect(tree.attributes(at: clientPath("/1/0/1")) == nil)
    }
}
