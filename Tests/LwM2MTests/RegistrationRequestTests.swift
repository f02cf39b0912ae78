import Testing

@testable import LwM2M

struct RegistrationRequestTests {
    func query(_ text: String) -> [(key: String, value: String?)] {
        text.split(separator: "&").map { item in
            let parts = item.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : nil)
        }
    }

    @Test func parsesAFullLwM2M11Register() throws {
        let request = try RegisterRequest.parse(
            query: query("ep=dev-1&lt=300&lwm2m=1.1&b=U&Q"),
            payload: Array(#"</>;rt="oma.lwm2m";ct="110 112",</1/0>,</3/0>,</5>;ver=1.1"#.utf8),
            contentFormat: 40)
        #expect(request.endpoint == "dev-1")
        #expect(request.lifetime == 300)
        #expect(request.version == .v1_1)
        #expect(request.binding == "U")
        #expect(request.queueMode)
        #expect(request.links.rootPath == "/")
        #expect(request.links.contentFormats == [110, 112])
        #expect(request.links.objectLinks.map(\.path) == ["/1/0", "/3/0", "/5"])
        #expect(request.links.objectLinks[2].version == "1.1")
    }

    @Test func defaultsFollowTheSpecification() throws {
        let request = try RegisterRequest.parse(query: query("ep=x"), payload: Array("</3/0>".utf8), contentFormat: nil)
        #expect(request.lifetime == 86400)
        #expect(request.version == .v1_0)
        #expect(request.binding == "U")
        #expect(!request.queueMode)
    }

    @Test func lwm2m10QueueModeIsInTheBinding() throws {
        let request = try RegisterRequest.parse(query: query("ep=x&b=UQ"), payload: [], contentFormat: 40)
        #expect(request.queueMode)
        #expect(request.binding == "UQ")
    }

    @Test func alternateRootPathIsStripped() throws {
        let links = try RegistrationLinks.parse(Array(#"</lwm2m>;rt="oma.lwm2m",</lwm2m/1/0>,</lwm2m/3303/1>"#.utf8))
        #expect(links.rootPath == "/lwm2m/")
        #expect(links.objectLinks == [ObjectLink(objectID: 1, instanceID: 0), ObjectLink(objectID: 3303, instanceID: 1)])
    }

    @Test(arguments: [
        ("lt=60", RegistrationError.Kind.badRequest),  // no ep
        ("ep=&lt=60", .badRequest),
        ("ep=a&lt=abc", .badRequest),
        ("ep=a&lt=0", .badRequest),
        ("ep=a&lt=-5", .badRequest),
        ("ep=a&b=X", .badRequest),
        ("ep=a&lwm2m=one", .badRequest),
        ("ep=a&lwm2m=2.0", .unsupportedVersion),
        ("ep=a&Q=1", .badRequest),
    ])
    func rejectsBadParameters(_ text: String, _ kind: RegistrationError.Kind) {
        do {
            _ = try RegisterRequest.parse(query: query(text), payload: [], contentFormat: 40)
            Issue.record("expected \(kind) for \(text)")
        } catch {
            #expect(error.kind == kind)
        }
    }

    @Test func refusalsMapToCoAPCodes() {
        #expect(RegistrationError(.badRequest, "").code.description == "4.00")
        #expect(RegistrationError(.unknownRegistration, "").code.description == "4.04")
        #expect(RegistrationError(.unsupportedVersion, "").code.description == "4.12")
        #expect(RegistrationError(.unsupportedContentFormat, "").code.description == "4.15")
    }

    @Test(arguments: ["</3/0", "</3/0/1>", "</abc>", "</65535>", "</3/99999>", #"</>;rt="oma.lwm2m";ct=json"#])
    func rejectsBadPayloads(_ payload: String) {
        #expect(throws: RegistrationError.self) {
            try RegisterRequest.parse(query: query("ep=a"), payload: Array(payload.utf8), contentFormat: 40)
        }
    }

    @Test func rejectsANonLinkFormatPayload() {
        do {
            _ = try RegisterRequest.parse(query: query("ep=a"), payload: Array("{}".utf8), contentFormat: 50)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.kind == .unsupportedContentFormat)
        }
    }

    @Test func updateParsesOptionalFields() throws {
        let empty = try UpdateRequest.parse(query: [], payload: [], contentFormat: nil)
        #expect(empty == UpdateRequest())
        let full = try UpdateRequest.parse(query: query("lt=90&b=UQ"), payload: Array("</3/0>,</4/0>".utf8), contentFormat: 40)
        #expect(full.lifetime == 90)
        #expect(full.binding == "UQ")
        #expect(full.links?.objectLinks.count == 2)
        #expect(throws: RegistrationError.self) { try UpdateRequest.parse(query: query("lt=x"), payload: [], contentFormat: nil) }
    }
}
