import CoAP
import Foundation
import Testing
@testable import LwM2M

/// Building and inspecting a `ClientObjectTree`; default format; registration links.
struct ClientObjectTreeTests {
    @Test func preferredFormatFollowsVersionAndAnnouncedFormats() {
        #expect(ClientObjectTree.preferredFormat(version: .v1_0, announced: [.senmlCBOR]) == .tlv)
        #expect(ClientObjectTree.preferredFormat(version: .v1_1, announced: [.senmlJSON, .senmlCBOR]) == .senmlCBOR)
        #expect(ClientObjectTree.preferredFormat(version: .v1_2, announced: [.senmlJSON]) == .senmlJSON)
        #expect(ClientObjectTree.preferredFormat(version: .v1_1, announced: [.tlv]) == .tlv)
        #expect(ClientObjectTree.preferredFormat(version: .v1_1, announced: []) == .tlv)
        #expect(ClientObjectTree.preferredFormat(version: .v1_1, announced: [.legacyTLV, .lwm2mJSON]) == .tlv)
    }

    @Test func holdsWhatWasSet() {
        let tree = clientTree()
        #expect(tree.objectIDs == [0, 1, 3, 5, 19, 3303, 3304])
        #expect(tree.instanceIDs(of: 3303) == [0])
        #expect(tree.instanceIDs(of: 3304) == [])
        #expect(tree.instanceIDs(of: 42) == [])
        #expect(tree.value(at: clientPath("/3/0/0")) == .string("lwm2m-sim"))
        #expect(tree.value(at: clientPath("/3/0/7/1")) == .integer(5000))
        #expect(tree.value(at: clientPath("/3/0/7")) == nil)
        #expect(tree.node(at: clientPath("/3/0")) == .objectInstance(clientDeviceInstance))
        #expect(tree.executables(objectID: 3, instanceID: 0) == [4, 5])
        #expect(tree.executables(objectID: 1, instanceID: 0) == [4, 8, 9])
        #expect(tree.executables(objectID: 3303, instanceID: 0) == [5605])
    }

    @Test func setValueUpdatesSingleAndMultipleResources() throws {
        var tree = clientTree()
        try tree.setValue(.float(30.25), at: clientPath("/3303/0/5700"))
        try tree.setValue(.integer(4200), at: clientPath("/3/0/7/2"))
        #expect(tree.value(at: clientPath("/3303/0/5700")) == .float(30.25))
        #expect(tree.resource(at: clientPath("/3/0/7"))?.instances == [0: .integer(3800), 1: .integer(5000), 2: .integer(4200)])
    }

    @Test func settersRejectWhatTheModelForbids() {
        var tree = clientTree()
        expectCodecError(.typeMismatch) { () throws(LwM2MCodecError) in try tree.setValue(.string("warm"), at: clientPath("/3303/0/5700")) }
        expectCodecError(.invalidPath) { () throws(LwM2MCodecError) in try tree.setValue(.integer(1), at: clientPath("/3303/0/9999")) }
        expectCodecError(.invalidPath) { () throws(LwM2MCodecError) in try tree.setValue(.integer(1), at: clientPath("/3303/7/5700")) }
        expectCodecError(.pathMismatch) { () throws(LwM2MCodecError) in try tree.setValue(.integer(1), at: clientPath("/3/0/6")) }
        expectCodecError(.typeMismatch) { () throws(LwM2MCodecError) in try tree.setValue(.integer(1), at: clientPath("/3/0/4")) }
        expectCodecError(.invalidPath) { () throws(LwM2MCodecError) in try tree.addObject(4242) }
        expectCodecError(.typeMismatch) { () throws(LwM2MCodecError) in
            try tree.setInstance(clientInstance(1, []), of: 3303, executables: [5700])
        }
        expectCodecError(.invalidPath) { () throws(LwM2MCodecError) in try tree.setInstance(clientInstance(0, []), of: 4242) }
        #expect(tree.value(at: clientPath("/3303/0/5700")) == .float(21.5))
        #expect(tree.instanceIDs(of: 3303) == [0])
    }

    @Test func registrationLinksListInstancesWithVersionsAndNoSecurity() {
        var tree = clientTree()
        try! tree.setInstance(clientInstance(0, [
            .single(id: 0, value: .float(48.85)), .single(id: 1, value: .float(2.35)), .single(id: 5, value: .time(0)),
        ]), of: 6)
        let links = LinkFormat.serialize(tree.registrationLinks(contentFormats: [.senmlCBOR]))
        #expect(links == #"</>;rt="oma.lwm2m";ct=112,</1>;ver=1.2,</1/0>,</3>;ver=1.2,</3/0>,</5>;ver=1.2,</5/0>,"#
            + #"</6/0>,</19/0>,</3303>;ver=1.1,</3303/0>,</3304>;ver=1.1"#)
        let plain = LinkFormat.serialize(tree.registrationLinks())
        #expect(plain.hasPrefix(#"</>;rt="oma.lwm2m",</1>;ver=1.2,"#))
        let several = LinkFormat.serialize(tree.registrationLinks(contentFormats: [.senmlJSON, .tlv]))
        #expect(several.hasPrefix(#"</>;rt="oma.lwm2m";ct="110 11542","#))
    }

    @Test func registrationLinksParseBackOnTheServerSide() throws {
        let tree = clientTree()
        let payload = Array(LinkFormat.serialize(tree.registrationLinks(contentFormats: [.senmlJSON])).utf8)
        let parsed = try RegistrationLinks.parse(payload)
        #expect(parsed.contentFormats == [110])
        #expect(parsed.objectLinks.map(\.path) == ["/1", "/1/0", "/3", "/3/0", "/5", "/5/0", "/19/0", "/3303", "/3303/0", "/3304"])
        #expect(parsed.objectLinks.first { $0.objectID == 3303 }?.version == "1.1")
    }

    @Test func removeInstanceDropsItsAttributes() {
        var tree = clientTree()
        _ = tree.handle(clientRequest(.put, "/3303/0/5700", query: ["pmin=5"]), now: clientNow)
        #expect(tree.attributes(at: clientPath("/3303/0/5700")) == NotificationAttributes(pmin: 5))
        let removed = tree.removeInstance(objectID: 3303, instanceID: 0)
        let removedAgain = tree.removeInstance(objectID: 3303, instanceID: 0)
        #expect(removed)
        #expect(!removedAgain)
        #expect(tree.attributes(at: clientPath("/3303/0/5700")) == nil)
    }
}
