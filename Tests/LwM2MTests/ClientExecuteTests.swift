import CoAP
import Foundation
import Testing
@testable import LwM2M

/// Execute (POST on an executable resource) on the client tree.
struct ClientExecuteTests {
    @Test func executeWithoutArguments() {
        var tree = clientTree()
        let outcome = tree.process(clientRequest(.post, "/3/0/4"), now: clientNow)
        #expect(outcome.response.code == .changed)
        #expect(outcome.event == .executed(clientPath("/3/0/4"), arguments: nil))
        #expect(tree.lastExecution == ClientExecution(path: clientPath("/3/0/4"), arguments: nil, parsedArguments: [],
                                                      time: clientNow))
    }

    @Test func executeWithArgumentsRemembersThem() {
        var tree = clientTree()
        let outcome = tree.process(
            clientRequest(.post, "/1/0/8", format: .text, payload: utf8Bytes("0='abc',1")), now: clientNow)
        #expect(outcome.response.code == .changed)
        #expect(outcome.event == .executed(clientPath("/1/0/8"), arguments: "0='abc',1"))
        #expect(tree.lastExecution?.parsedArguments == [.init(digit: 0, value: "abc"), .init(digit: 1)])
    }

    @Test(arguments: [
        ("/3/0/12", CoAPCode.notFound), ("/3/1/4", .notFound), ("/42/0/1", .notFound), ("/3/0/0", .methodNotAllowed),
        ("/3/0/4/0", .methodNotAllowed), ("/", .methodNotAllowed), ("/0/0/0", .unauthorized),
    ])
    func failures(path: String, code: CoAPCode) {
        var tree = clientTree()
        let outcome = tree.process(clientRequest(.post, path), now: clientNow)
        #expect(outcome.response.code == code, "\(path): \(outcome.response.payloadText)")
        #expect(outcome.event == nil)
        #expect(tree.lastExecution == nil)
    }

    @Test func badArgumentsAreBadRequests() {
        var tree = clientTree()
        for payload in [utf8Bytes("reboot now"), utf8Bytes("0='a"), utf8Bytes("0=abc"), utf8Bytes("0,"), [0xff, 0xfe]] {
            let response = tree.handle(clientRequest(.post, "/3/0/4", format: .text, payload: payload), now: clientNow)
            #expect(response.code == .badRequest, "\(payload)")
        }
        #expect(tree.lastExecution == nil)
    }

    @Test func argumentGrammar() {
        #expect(ClientExecution.parseArguments("") == [])
        #expect(ClientExecution.parseArguments("5") == [.init(digit: 5)])
        #expect(ClientExecution.parseArguments("2='coap://x/y',7,9=''")
            == [.init(digit: 2, value: "coap://x/y"), .init(digit: 7), .init(digit: 9, value: "")])
        #expect(ClientExecution.parseArguments("10") == nil)
        #expect(ClientExecution.parseArguments("1='a\"b'") == nil)
        #expect(ClientExecution.parseArguments("1='a b'") == nil)
        #expect(ClientExecution.parseArguments(",1") == nil)
        #expect(ClientExecution.parseArguments("1;2") == nil)
    }

    @Test func postOnANonExecutableResourceWithAPayloadIsAPartialUpdate() {
        var tree = clientTree()
        let response = tree.handle(clientRequest(.post, "/1/0/1", format: .text, payload: utf8Bytes("90")), now: clientNow)
        #expect(response.code == .changed)
        #expect(tree.value(at: clientPath("/1/0/1")) == .integer(90))
        #expect(tree.lastExecution == nil)
    }
}
