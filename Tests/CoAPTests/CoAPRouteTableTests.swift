import Testing

@testable import CoAP

/// Handlers mounted by path prefix: the longest mounted prefix of a request's Uri-Path answers it.
struct CoAPRouteTableTests {
    func inbound(_ path: [String]) -> CoAPInboundRequest {
        CoAPInboundRequest(
            request: CoAPRequest(method: .post, uriPath: path), session: CoAPSessionID(rawValue: 1),
            peerAddress: "127.0.0.1:1", token: [1])
    }

    func answer(_ text: String) -> CoAPEndpoint.RequestHandler {
        { _ in CoAPResponse(code: .changed, payload: Array(text.utf8)) }
    }

    func routed(_ table: CoAPRouteTable, _ path: [String]) -> String? {
        table.route(inbound(path)).flatMap { $0.code == .changed ? String(decoding: $0.payload, as: UTF8.self) : nil }
    }

    @Test func theLongestMountedPrefixAnswers() {
        let table = CoAPRouteTable()
        table.mount("/rd", handler: answer("rd"))
        table.mount("/fw", handler: answer("fw"))
        table.mount("/fw/images/", handler: answer("images"))
        #expect(routed(table, ["rd"]) == "rd")
        #expect(routed(table, ["rd", "abc123"]) == "rd")
        #expect(routed(table, ["fw", "images", "7"]) == "images")
        #expect(routed(table, ["fw", "other"]) == "fw")
        #expect(table.mountedPaths == ["/fw/images", "/rd", "/fw"] || table.mountedPaths == ["/fw/images", "/fw", "/rd"])
    }

    @Test func aPathNoHandlerClaimsIsNotFound() {
        let table = CoAPRouteTable()
        table.mount("/rd", handler: answer("rd"))
        for path in [["rdx"], ["dp"], [], ["r"]] {
            #expect(table.route(inbound(path))?.code == .notFound, "\(path)")
        }
    }
}
