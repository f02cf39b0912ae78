import Testing

@testable import LwM2M

struct LinkFormatTests {
    @Test func parsesTheLwM2MRegistrationPayload() throws {
        let links = try LinkFormat.parse(#"</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</5>;ver=1.1"#)
        #expect(links.count == 4)
        #expect(links[0].target == "/")
        #expect(links[0]["rt"] == "oma.lwm2m")
        #expect(links[0].parameters[0].quoted)
        #expect(links[0]["ct"] == "110")
        #expect(links[1] == WebLink(target: "/1/0"))
        #expect(links[3].target == "/5")
        #expect(links[3]["ver"] == "1.1")
        #expect(links[3]["missing"] == nil)
    }

    @Test func quotedValuesMayHoldSeparatorsAndEscapes() throws {
        let links = try LinkFormat.parse(#"</a>;title="x, y; \"z\"";ct="60 110 112",</b>;obs"#)
        #expect(links.count == 2)
        #expect(links[0]["title"] == #"x, y; "z""#)
        #expect(links[0]["ct"] == "60 110 112")
        #expect(links[1].hasParameter("obs"))
        #expect(links[1]["obs"] == "")
    }

    @Test func toleratesWhitespaceAroundSeparators() throws {
        let links = try LinkFormat.parse("  </1/0> ,\n </3/0> ; ver = 1.0 ")
        #expect(links.map(\.target) == ["/1/0", "/3/0"])
        #expect(links[1]["ver"] == "1.0")
    }

    @Test func emptyDocumentHasNoLinks() throws {
        #expect(try LinkFormat.parse("").isEmpty)
        #expect(try LinkFormat.parse("   ").isEmpty)
    }

    @Test(arguments: [
        "/1/0>",  // missing '<'
        "</1/0",  // unterminated target
        "</1/0>,",  // trailing comma
        "</1/0>;",  // parameter without name
        "</1/0>;=3",  // parameter without name
        #"</1/0>;rt="oma"#,  // unterminated quote
        "</1/0> </3/0>",  // missing comma
        "</1/0>;ct=",  // empty unquoted value
        "<1 0>",  // space in target
        "</1/0>;ver=1,0",  // ',' not allowed in a ptoken: then "0" is not a link
    ])
    func rejectsMalformedInput(_ text: String) {
        #expect(throws: LinkFormat.ParseError.self) { try LinkFormat.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: LinkFormat.ParseError.self) { try LinkFormat.parse([0x3C, 0xFF, 0x3E]) }
    }

    @Test func serializeRoundTrips() throws {
        let text = #"</>;rt="oma.lwm2m";ct="60 110",</3/0>;ver=1.1,</5>"#
        let links = try LinkFormat.parse(text)
        #expect(LinkFormat.serialize(links) == text)
        #expect(try LinkFormat.parse(LinkFormat.serialize(links)) == links)
    }

    @Test func everyTruncationOfAValidDocumentIsHandled() throws {
        let bytes = Array(#"</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>;ver="1.1""#.utf8)
        for n in 0...bytes.count {
            // Must either throw a ParseError or return links: never crash.
            _ = try? LinkFormat.parse(Array(bytes.prefix(n)))
        }
        #expect(throws: LinkFormat.ParseError.self) { try LinkFormat.parse(Array(bytes.prefix(10))) }  // open quote
        #expect(throws: LinkFormat.ParseError.self) { try LinkFormat.parse(Array(bytes.prefix(19))) }  // trailing ';'
        #expect(try LinkFormat.parse(Array(bytes.prefix(20))).first?.hasParameter("c") == true)  // a valueless 'c'

    }
}
