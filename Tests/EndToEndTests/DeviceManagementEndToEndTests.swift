import Foundation
import Testing

/// Every DM operation over REST against `lwm2m-sim` devices of each LwM2M version, in every format they speak.
@Suite(.serialized)
struct DeviceManagementEndToEndTests {
    /// One simulator process per (version, announced format).
    static let devices: [(prefix: String, arguments: [String], defaultFormat: String)] = [
        ("dm10-", ["--lwm2m", "1.0"], "application/vnd.oma.lwm2m+tlv"),
        ("dm11-", ["--lwm2m", "1.1", "--format", "senml-json"], "application/senml+json"),
        ("dm12-", ["--lwm2m", "1.2", "--format", "senml-cbor"], "application/senml+cbor"),
    ]

    func json(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(String(decoding: data, as: UTF8.self))")
    }

    func resources(of node: Any?) -> [Int: Any] {
        let list = (node as? [String: Any])?["resources"] as? [[String: Any]] ?? []
        var byID: [Int: Any] = [:]
        for resource in list { byID[resource["id"] as? Int ?? -1] = resource["value"] ?? resource["values"] }
        return byID
    }

    func startFleet(_ server: ServerProcess) throws -> [ChildProcess] {
        try Self.devices.map { device in
            try ChildProcess(
                executable: Binaries.url("lwm2m-sim"),
                arguments: ["--server", server.coapURL, "--count", "1", "--prefix", device.prefix, "--lifetime", "60"]
                    + device.arguments,
                logURL: server.dataDir.appendingPathComponent("sim-\(device.prefix).log"))
        }
    }

    @Test func readIsTheSameNodeInEveryFormatForEveryVersion() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let sims = try startFleet(server)
        defer { for sim in sims { Task { await sim.stop(signal: SIGKILL) } } }
        try await server.eventually(timeout: .seconds(20), "3 devices online") {
            try await server.endpoints().filter { $0["online"] as? Bool == true }.count == 3
        }

        for device in Self.devices {
            let name = "\(device.prefix)1"
            // Default format follows the negotiation.
            let (status, body) = try await server.http("GET", "/api/v1/endpoints/\(name)/resources/3/0")
            #expect(status == 200, "\(name): \(String(decoding: body, as: UTF8.self))")
            let read = try json(body)
            #expect(read["format"] as? String == device.defaultFormat, "\(name)")
            let content = try #require(read["content"] as? [String: Any])
            #expect(content["kind"] as? String == "instance")
            #expect(content["id"] as? Int == 0)
            let reference = resources(of: content)
            #expect(reference[0] as? String == "lwm2m-sim")
            #expect(reference[2] as? String == name)

            for format in ["tlv", "senml-json", "senml-cbor", "json"] {
                let (status, body) = try await server.http("GET", "/api/v1/endpoints/\(name)/resources/3/0?format=\(format)")
                #expect(status == 200, "\(name) \(format): \(String(decoding: body, as: UTF8.self))")
                guard status == 200 else { continue }
                let other = resources(of: try json(body)["content"])
                for id in [0, 1, 2, 3, 16] {  // stable string resources
                    #expect(other[id] as? String == reference[id] as? String, "\(name) \(format) /3/0/\(id)")
                }
                #expect(Set(other.keys) == Set(reference.keys), "\(name) \(format) resource set")
            }
            // A single resource also reads as plain text, CBOR, and opaque is refused for a string.
            for format in ["text", "cbor"] {
                let (status, body) = try await server.http("GET", "/api/v1/endpoints/\(name)/resources/3/0/0?format=\(format)")
                #expect(status == 200, "\(name) \(format)")
                let content = try json(body)["content"] as? [String: Any]
                #expect(content?["value"] as? String == "lwm2m-sim", "\(name) \(format)")
            }
        }
    }

    @Test func writeExecuteCreateDeleteDiscoverAttributesComposite() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let sims = try startFleet(server)
        defer { for sim in sims { Task { await sim.stop(signal: SIGKILL) } } }
        try await server.eventually(timeout: .seconds(20), "3 devices online") {
            try await server.endpoints().filter { $0["online"] as? Bool == true }.count == 3
        }

        for device in Self.devices {
            let base = "/api/v1/endpoints/\(device.prefix)1"
            func body(_ object: Any) throws -> Data { try JSONSerialization.data(withJSONObject: object) }

            // Write (replace) a single resource, read it back.
            var (status, data) = try await server.http("PUT", "\(base)/resources/1/0/1", body: try body(["value": 120]))
            #expect((200...204).contains(status), "\(device.prefix) write: \(String(decoding: data, as: UTF8.self))")
            (status, data) = try await server.http("GET", "\(base)/resources/1/0/1")
            #expect((try json(data)["content"] as? [String: Any])?["value"] as? Int == 120, "\(device.prefix)")

            // Partial update of an instance.
            let patch: [String: Any] = ["id": 0, "kind": "instance", "resources": [["id": 14, "kind": "singleResource", "value": "+02:00"]]]
            (status, data) = try await server.http("PATCH", "\(base)/resources/3/0", body: try body(patch))
            #expect((200...204).contains(status), "\(device.prefix) patch: \(String(decoding: data, as: UTF8.self))")
            (status, data) = try await server.http("GET", "\(base)/resources/3/0/14")
            #expect((try json(data)["content"] as? [String: Any])?["value"] as? String == "+02:00", "\(device.prefix)")

            // A wrong type is refused before anything is sent.
            (status, _) = try await server.http("PUT", "\(base)/resources/1/0/1", body: try body(["value": "soon"]))
            #expect(status == 400)

            // Execute, and execute on a non-executable resource.
            (status, data) = try await server.http("POST", "\(base)/resources/3/0/4/execute")
            #expect((200...204).contains(status), "\(device.prefix) execute: \(String(decoding: data, as: UTF8.self))")
            (status, data) = try await server.http("POST", "\(base)/resources/3/0/0/execute")
            #expect(status == 405, "\(device.prefix)")
            #expect((try? json(data))?["coapCode"] as? String == "4.05")

            // Create an instance, read it, delete it, and it is gone.
            let instance: [String: Any] = ["id": 7, "kind": "instance", "resources": [
                ["id": 5700, "kind": "singleResource", "value": 21.5], ["id": 5701, "kind": "singleResource", "value": "Cel"],
            ]]
            (status, data) = try await server.http("POST", "\(base)/resources/3303", body: try body(instance))
            #expect(status == 201, "\(device.prefix) create: \(String(decoding: data, as: UTF8.self))")
            (status, data) = try await server.http("GET", "\(base)/resources/3303/7/5701")
            #expect((try? json(data))?["content"].flatMap { ($0 as? [String: Any])?["value"] as? String } == "Cel", "\(device.prefix)")
            (status, _) = try await server.http("DELETE", "\(base)/resources/3303/7")
            #expect((200...204).contains(status), "\(device.prefix) delete")
            (status, data) = try await server.http("GET", "\(base)/resources/3303/7")
            #expect(status == 404, "\(device.prefix)")
            #expect((try? json(data))?["coapCode"] as? String == "4.04")

            // Write-Attributes, then Discover shows them.
            (status, data) = try await server.http("PUT", "\(base)/resources/3303/0/5700/attributes?pmin=5&pmax=30")
            #expect((200...204).contains(status), "\(device.prefix) attributes: \(String(decoding: data, as: UTF8.self))")
            (status, data) = try await server.http("GET", "\(base)/resources/3303/0/discover")
            #expect(status == 200)
            let links = try json(data)["links"] as? [[String: Any]] ?? []
            let sensor = links.first { $0["path"] as? String == "/3303/0/5700" }
            #expect((sensor?["attributes"] as? [String: Any])?["pmin"] as? String == "5", "\(device.prefix) \(links)")
            #expect(links.contains { $0["path"] as? String == "/3303/0/5701" })

            // Composite read and write (LwM2M 1.1+: SenML); a 1.0 device is asked anyway and may refuse.
            if device.prefix != "dm10-" {
                (status, data) = try await server.http("GET", "/api/v1/endpoints/\(device.prefix)1/composite?paths=/3/0/0,/1/0/1")
                #expect(status == 200, "\(device.prefix) composite: \(String(decoding: data, as: UTF8.self))")
                let content = try json(data)["content"] as? [String: Any]
                #expect((content?["/3/0/0"] as? [String: Any])?["value"] as? String == "lwm2m-sim")
                #expect((content?["/1/0/1"] as? [String: Any])?["value"] as? Int == 120)
                (status, data) = try await server.http(
                    "PUT", "/api/v1/endpoints/\(device.prefix)1/composite", body: try body(["/1/0/1": ["value": 240]]))
                #expect((200...204).contains(status), "\(device.prefix) composite write: \(String(decoding: data, as: UTF8.self))")
                (status, data) = try await server.http("GET", "\(base)/resources/1/0/1")
                #expect((try json(data)["content"] as? [String: Any])?["value"] as? Int == 240)
            }
        }
    }

    @Test func devicesAreReachableRightAfterAServerRestart() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        // Lifetime 600: the next update is minutes away, so only a server-opened session can reach the device.
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", server.coapURL, "--count", "2", "--prefix", "rs-", "--lifetime", "600"],
            logURL: server.dataDir.appendingPathComponent("sim-restart.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await server.eventually(timeout: .seconds(20), "2 online") {
            try await server.endpoints().filter { $0["online"] as? Bool == true }.count == 2
        }
        #expect(await server.stop() == 0)
        try await server.start()
        for name in ["rs-1", "rs-2"] {
            let (status, data) = try await server.http("GET", "/api/v1/endpoints/\(name)/resources/3/0/2")
            #expect(status == 200, "\(name): \(String(decoding: data, as: UTF8.self))")
            #expect((try? json(data))?["content"].flatMap { ($0 as? [String: Any])?["value"] as? String } == name)
        }
        #expect(server.log.contains("opened a session to a restored registration"))
    }

    @Test func badRequestsGetProblemDetails() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let sims = try startFleet(server)
        defer { for sim in sims { Task { await sim.stop(signal: SIGKILL) } } }
        try await server.eventually(timeout: .seconds(20), "devices online") {
            try await server.endpoint("dm11-1")?["online"] as? Bool == true
        }
        let base = "/api/v1/endpoints/dm11-1"
        for (method, path, expected) in [
            ("GET", "\(base)/resources/abc", 400),
            ("GET", "\(base)/resources/3/0/1/2/3", 400),
            ("GET", "\(base)/resources/3/0?format=bogus", 400),
            ("GET", "\(base)/resources/3/0?timeout=0", 400),
            ("GET", "\(base)/resources/3/0/999", 404),
            ("GET", "\(base)/resources/42/0", 404),
            ("GET", "/api/v1/endpoints/nobody/resources/3/0", 404),
            ("PUT", "\(base)/resources/3/0/1/attributes?bogus=1", 400),
        ] {
            let (status, data) = try await server.http(method, path)
            #expect(status == expected, "\(method) \(path): \(String(decoding: data, as: UTF8.self))")
            let problem = try? json(data)
            #expect(problem?["status"] as? Int == expected, "\(path)")
        }
        let (status, _) = try await server.http("PUT", "\(base)/resources/1/0/1", body: Data("{not json".utf8))
        #expect(status == 400)

        // A de-registered endpoint is known but offline: 409.
        await sims[1].stop(signal: SIGINT)
        try await server.eventually("dm11-1 offline") { try await server.endpoint("dm11-1")?["online"] as? Bool == false }
        let (offline, data) = try await server.http("GET", "\(base)/resources/3/0")
        #expect(offline == 409, "\(String(decoding: data, as: UTF8.self))")
        #expect(server.isRunning)
    }
}
