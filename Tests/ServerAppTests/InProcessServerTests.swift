import CoAP
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import LwM2M
import ResourceModel
import ServerApp
import Testing

/// The whole server built by `buildServer` and run in this process on free ports (CoAP, DTLS and HTTP on port 0,
/// an in-memory store), reached over real CoAP and HTTP sockets on loopback.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct InProcessServerTests {
    static let token = "in-process-token"
    let logger = Logger(label: "in-process") { _ in SwiftLogNoOpLogHandler() }

    func http(_ port: Int, _ method: String, _ path: String, token: String? = InProcessServerTests.token)
        async throws -> (Int, Data)
    {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    func json(_ data: Data) -> [String: Any]? { (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] }

    @Test func aDeviceRegistersAndIsReadThroughTheRESTAPIOfAServerBuiltInProcess() async throws {
        let server = try await buildServer(
            ServerConfiguration(
                lwm2m: .init(host: "127.0.0.1", coapPort: 0, coapsPort: 0), httpPort: 0, storage: .inMemory,
                authentication: .token(Self.token)),
            logger: logger)
        let running = Task { try await server.run(gracefulShutdownSignals: [], logger: logger) }
        defer { running.cancel() }
        let coapPort = try #require(server.coapPort)
        #expect(server.coapsPort != nil && server.coapsPort != 0, "DTLS bound on a free port")
        let httpPort = try #require(await server.httpPort())
        #expect(httpPort != 0)

        #expect(try await http(httpPort, "GET", "/healthz", token: nil).0 == 200)
        #expect(try await http(httpPort, "GET", "/api/v1/endpoints", token: nil).0 == 401)

        // A device of the test's own: answers a Read of the manufacturer.
        let device = CoAPEndpoint(configuration: .init(), logger: logger) { inbound in
            guard inbound.request.method == .get, inbound.request.path == "/3/0/0" else { return .error(.notFound, "") }
            return CoAPResponse(code: .content, contentFormat: 0, payload: Array("Acme In-Process".utf8))
        }
        try device.start()
        defer { device.stop() }
        let session = try await device.connect(host: "127.0.0.1", port: coapPort)
        let registered = try await device.send(
            CoAPRequest(method: .post, uriPath: ["rd"], uriQuery: ["ep=inproc-1", "lt=60", "lwm2m=1.1"],
                        contentFormat: 40, payload: Array("</3/0>".utf8)),
            on: session)
        #expect(registered.code == .created)

        var online = false
        for _ in 0..<200 where !online {
            let (status, data) = try await http(httpPort, "GET", "/api/v1/endpoints/inproc-1")
            online = status == 200 && json(data)?["online"] as? Bool == true
            if !online { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(online, "the registration reached the store and the REST API")
        let (status, data) = try await http(httpPort, "GET", "/api/v1/endpoints/inproc-1/resources/3/0/0?format=text")
        #expect(status == 200, "\(String(decoding: data, as: UTF8.self))")
        #expect((json(data)?["content"] as? [String: Any])?["value"] as? String == "Acme In-Process",
                "\(String(decoding: data, as: UTF8.self))")
    }

    @Test func aModuleSubscriptionSeesEveryStoredFirmwareStateValueOfADevice() async throws {
        let server = try await buildServer(
            ServerConfiguration(
                lwm2m: .init(host: "127.0.0.1", coapPort: 0), httpPort: 0, storage: .inMemory,
                authentication: .token(Self.token)),
            logger: logger)
        // What the firmware module will do: every /5/0/3 State and /5/0/5 Update Result, nothing else.
        let firmwareState = server.storedReports.subscribe(
            capacity: 8, paths: [try LwM2MPath("/5/0/3"), try LwM2MPath("/5/0/5")])
        let running = Task { try await server.run(gracefulShutdownSignals: [], logger: logger) }
        defer { running.cancel() }
        let coapPort = try #require(server.coapPort)
        let httpPort = try #require(await server.httpPort())

        let device = CoAPEndpoint(configuration: .init(), logger: logger) { _ in .error(.notFound, "") }
        try device.start()
        defer { device.stop() }
        let session = try await device.connect(host: "127.0.0.1", port: coapPort)
        let registered = try await device.send(
            CoAPRequest(method: .post, uriPath: ["rd"], uriQuery: ["ep=inproc-fw", "lt=60", "lwm2m=1.1"],
                        contentFormat: 40, payload: Array("</3/0>,</5/0>".utf8)),
            on: session)
        #expect(registered.code == .created)
        var online = false
        for _ in 0..<200 where !online {
            let (status, data) = try await http(httpPort, "GET", "/api/v1/endpoints/inproc-fw")
            online = status == 200 && json(data)?["online"] as? Bool == true
            if !online { try await Task.sleep(for: .milliseconds(25)) }
        }
        try #require(online)

        // Twenty Sends (SenML JSON), more than the subscription buffers: each carries State = n % 4 and a
        // temperature the subscription does not want; the last one also an Update Result.
        let count = 20
        for index in 0..<count {
            var records = [#"{"bn":"/5/0/","n":"3","v":\#(index % 4)}"#, #"{"bn":"/3303/0/","n":"5700","v":21.5}"#]
            if index == count - 1 { records.append(#"{"bn":"/5/0/","n":"5","v":1}"#) }
            let sent = try await device.send(
                CoAPRequest(method: .post, uriPath: ["dp"], contentFormat: 110,
                            payload: Array("[\(records.joined(separator: ","))]".utf8)),
                on: session)
            #expect(sent.code == .changed)
        }
        var seen: [[String]] = []
        for await report in firmwareState {
            #expect(report.endpoint == "inproc-fw")
            seen.append(report.values.map { "\($0.path)=\($0.value)" })
            if seen.count == count { break }
        }
        #expect(seen.count == count)
        #expect(seen.first == ["/5/0/3=integer(0)"])
        #expect(seen.last == ["/5/0/3=integer(3)", "/5/0/5=integer(1)"])
        #expect(seen.allSatisfy { $0.allSatisfy { !$0.hasPrefix("/3303") } })
    }

    @Test func anInMemoryServerNeedsAnExplicitToken() async throws {
        await #expect(throws: ServerStartError.self) {
            _ = try await buildServer(
                ServerConfiguration(
                    lwm2m: .init(host: "127.0.0.1", coapPort: 0), httpPort: 0, storage: .inMemory,
                    authentication: .environmentOrDataDirectory(environment: [:])),
                logger: logger)
        }
    }
}
