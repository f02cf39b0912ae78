import Testing
@testable import LwM2M

@Suite("Link format codec (40) for Discover")
struct LinkFormatCodecTests {
    let codec = LinkFormatCodec()

    @Test("encodes paths with attributes")
    func encode() {
        let links = [
            LwM2MLink(path: lwPath("/3/0/1"), attributes: [LinkParameter(name: "pmin", value: "10")]),
            LwM2MLink(path: lwPath("/3/0/7"), attributes: [LinkParameter(name: "dim", value: "2")]),
            LwM2MLink(path: lwPath("/3")),
        ]
        #expect(String(decoding: codec.encode(links), as: UTF8.self) == "</3/0/1>;pmin=10,</3/0/7>;dim=2,</3>")
        #expect(String(decoding: codec.encode(links, rootPath: "/lwm2m/"), as: UTF8.self)
            == "</lwm2m/3/0/1>;pmin=10,</lwm2m/3/0/7>;dim=2,</lwm2m/3>")
    }

    @Test("decodes a Discover response into paths and attributes")
    func decode() throws {
        let payload = utf8Bytes("</3>;ver=1.1,</3/0>;pmin=10;pmax=60, </3/0/1>,</3/0/7>;dim=2;gt=\"50\",</3/0/6/1>")
        let links = try codec.decode(payload)
        #expect(links.map(\.path) == ["/3", "/3/0", "/3/0/1", "/3/0/7", "/3/0/6/1"].map(lwPath))
        #expect(links[0]["ver"] == "1.1")
        #expect(links[1]["pmin"] == "10" && links[1]["pmax"] == "60" && links[1]["dim"] == nil)
        #expect(links[3].dimension == 2 && links[3]["gt"] == "50")
        #expect(links[2].attributes.isEmpty)
        #expect(try codec.decode(codec.encode(links)) == links)
        #expect(try codec.decode(utf8Bytes("</lwm2m/3/0>;pmin=1"), rootPath: "/lwm2m").map(\.path) == [lwPath("/3/0")])
        #expect(try codec.decode([]) == [])
    }

    @Test("invalid link format or targets that are not paths are errors")
    func errors() {
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in try codec.decode(utf8Bytes("</3/0")) }
        expectCodecError(.malformed) { () throws(LwM2MCodecError) in try codec.decode(utf8Bytes("/3/0")) }
        expectCodecError(.invalidPath) { () throws(LwM2MCodecError) in try codec.decode(utf8Bytes("</3/a>")) }
        expectCodecError(.invalidPath) { () throws(LwM2MCodecError) in try codec.decode(utf8Bytes("</3/65535>")) }
        expectCodecError(.invalidPath) { () throws(LwM2MCodecError) in try codec.decode(utf8Bytes("</other/3>"), rootPath: "/lwm2m") }
    }

    @Test("discover links for a node list every level with dim on multiple resources")
    func discoverLinks() throws {
        let instance = try LwM2MObjectInstance(id: 0, resources: [
            .single(id: 1, value: .string("x")),
            try .multiple(id: 7, type: .integer, instances: [0: .integer(3800), 1: .integer(5000)]),
        ])
        let attributes = [lwPath("/3/0/1"): [LinkParameter(name: "pmin", value: "10")]]
        let links = LinkFormatCodec.discoverLinks(for: .object(try LwM2MObject(id: 3, instances: [instance])),
                                                  at: lwPath("/3"), attributes: attributes)
        #expect(String(decoding: codec.encode(links), as: UTF8.self) == "</3>,</3/0>,</3/0/1>;pmin=10,</3/0/7>;dim=2")
        let resource = LinkFormatCodec.discoverLinks(for: .resource(instance.resources[7]!), at: lwPath("/3/0/7"))
        #expect(resource == [LwM2MLink(path: lwPath("/3/0/7"), attributes: [LinkParameter(name: "dim", value: "2")])])
    }
}
