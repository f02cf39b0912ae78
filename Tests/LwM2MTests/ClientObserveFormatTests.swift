import CoAP
import Foundation
import Testing
@testable import LwM2M

/// Notifications in every content format: the Accept of the Observe, else the client's default.
struct ClientObserveFormatTests {
    @Test(arguments: [ContentFormat.text, .cbor, .tlv, .senmlJSON, .senmlCBOR, .lwm2mJSON])
    func aResourceIsNotifiedInTheAcceptedFormat(format: ContentFormat) throws {
        var tree = clientTree()
        let response = tree.observe(observeRequest("/3303/0/5700", accept: format))
        #expect(response.code == .content)
        #expect(response.contentFormat == format.rawValue)
        #expect(tree.observations.all.first?.format == format)
        tree.setTemperature(-3.5)
        let notification = try #require(tree.dueNotifications(now: observeTime(1)).first)
        #expect(notification.response.contentFormat == format.rawValue)
        #expect(try clientDecode(notification.response, at: "/3303/0/5700")
            == .singleResource(id: 5700, value: .float(-3.5)))
    }

    @Test(arguments: clientNodeFormats)
    func anInstanceIsNotifiedInTheAcceptedFormat(format: ContentFormat) throws {
        var tree = clientTree()
        _ = tree.observe(observeRequest("/3303/0", accept: format))
        tree.setTemperature(26.125)
        let notification = try #require(tree.dueNotifications(now: observeTime(1)).first)
        #expect(notification.response.contentFormat == format.rawValue)
        #expect(try clientDecode(notification.response, at: "/3303/0") == tree.node(at: clientPath("/3303/0")))
        #expect(notification.values.map(\.path) == ["/3303/0/5601", "/3303/0/5602", "/3303/0/5700",
                                                    "/3303/0/5701", "/3303/0/5750"].map(clientPath))
    }

    @Test(arguments: [ContentFormat.tlv, .senmlJSON, .senmlCBOR])
    func withoutAcceptTheDefaultFormatIsUsed(format: ContentFormat) throws {
        var tree = clientTree(defaultFormat: format)
        let response = tree.observe(observeRequest("/3/0/9"))
        #expect(response.contentFormat == format.rawValue)
        try tree.setValue(.integer(42), at: clientPath("/3/0/9"))
        let notification = try #require(tree.dueNotifications(now: observeTime(1)).first)
        #expect(notification.response.contentFormat == format.rawValue)
        #expect(try clientDecode(notification.response, at: "/3/0/9") == .singleResource(id: 9, value: .integer(42)))
    }

    @Test func aSenMLJSONNotificationIsByteExact() throws {
        var tree = clientTree()
        _ = tree.observe(observeRequest("/3303/0/5700", accept: .senmlJSON))
        tree.setTemperature(21.37)
        let notification = try #require(tree.dueNotifications(now: observeTime(1)).first)
        #expect(notification.response.payloadText == #"[{"bn":"/3303/0/5700","v":21.37}]"#)
    }
}
