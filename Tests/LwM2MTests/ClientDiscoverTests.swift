import CoAP
import Foundation
import Testing
@testable import LwM2M

/// Discover (GET with Accept: link format) on the client tree.
struct ClientDiscoverTests {
    @Test func instanceListsEveryResourceWithDimensions() {
        var tree = clientTree()
        let response = tree.handle(clientRequest(.get, "/3/0", accept: .linkFormat), now: clientNow)
        #expect(response.code == .content)
        #expect(response.contentFormat == 40)
        #expect(clientText(response) == "</3/0>,</3/0/0>,</3/0/1>,</3/0/2>,</3/0/3>,</3/0/4>,</3/0/5>,</3/0/6>;dim=2,"
            + "</3/0/7>;dim=2,</3/0/9>,</3/0/10>,</3/0/11>;dim=1,</3/0/13>,</3/0/14>,</3/0/16>")
    }

    @Test func writtenAttributesAppearOnTheirLinks() {
        var tree = clientTree()
        #expect(tree.handle(clientRequest(.put, "/3303/0", query: ["pmin=10", "pmax=60"]), now: clientNow).code == .changed)
        #expect(tree.handle(clientRequest(.put, "/3303/0/5700", query: ["gt=25.5", "lt=5", "st=0.5"]), now: clientNow).code
            == .changed)
        let response = tree.handle(clientRequest(.get, "/3303/0", accept: .linkFormat), now: clientNow)
        #expect(clientText(response) == "</3303/0>;pmin=10;pmax=60,</3303/0/5601>,</3303/0/5602>,</3303/0/5605>,"
            + "</3303/0/5700>;gt=25.5;lt=5;st=0.5,</3303/0/5701>,</3303/0/5750>")
        let links = try? LinkFormatCodec().decode(response.payload)
        #expect(links?.first { $0.path == clientPath("/3303/0/5700") }?["gt"] == "25.5")
    }

    @Test func objectListsInstancesAndResources() {
        var tree = clientTree()
        _ = tree.handle(clientRequest(.put, "/19", query: ["pmax=100"]), now: clientNow)
        let response = tree.handle(clientRequest(.get, "/19", accept: .linkFormat), now: clientNow)
        #expect(clientText(response) == "</19>;pmax=100,</19/0>,</19/0/0>;dim=1")
    }

    @Test func resourceListsItselfOnly() {
        var tree = clientTree()
        _ = tree.handle(clientRequest(.put, "/3/0/7", query: ["pmin=1"]), now: clientNow)
        let response = tree.handle(clientRequest(.get, "/3/0/7", accept: .linkFormat), now: clientNow)
        #expect(clientText(response) == "</3/0/7>;dim=2;pmin=1")
        let executable = tree.handle(clientRequest(.get, "/3/0/4", accept: .linkFormat), now: clientNow)
        #expect(clientText(executable) == "</3/0/4>")
    }

    @Test func emptyObjectListsItself() {
        var tree = clientTree()
        #expect(clientText(tree.handle(clientRequest(.get, "/3304", accept: .linkFormat), now: clientNow)) == "</3304>")
    }

    @Test(arguments: [
        ("/", CoAPCode.methodNotAllowed), ("/3/0/6/0", .methodNotAllowed), ("/3/1", .notFound), ("/3/0/8", .notFound),
        ("/42", .notFound), ("/0/0", .unauthorized),
    ])
    func failures(path: String, code: CoAPCode) {
        var tree = clientTree()
        let response = tree.handle(clientRequest(.get, path, accept: .linkFormat), now: clientNow)
        #expect(response.code == code, "\(path)")
    }
}
