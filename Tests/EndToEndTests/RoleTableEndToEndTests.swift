import Foundation
import Testing

/// REST tokens and roles against the real server: every route the server has is tried with no token, the
/// scrape-only metrics token, and reader, operator and admin tokens made through `POST /api/v1/tokens`, and the
/// answer is checked against the role table below (the table lives here, not in the server: a route added
/// without a row fails `theTableCoversEveryRoute`). Requests go to names and ids that do not exist, so a call
/// that passes authorization answers 4xx/5xx of its own and changes nothing.
@Suite(.serialized)
struct RoleTableEndToEndTests {
    /// Who calls.
    enum Caller: String, CaseIterable {
        case none, metrics, reader, `operator`, admin

        /// The callers' order: each may do what the ones before it may.
        var rank: Int { Self.allCases.firstIndex(of: self)! }
    }

    /// The least caller each route allows (`none`: open to anyone, no token needed).
    static let table: [String: Caller] = [
        "GET /healthz": .none,
        // The dashboard's static files: no token (its pages call the API with one).
        "GET /": .none,
        "GET /dashboard/{file}": .none,
        "GET /api/v1/openapi.yaml": .reader,
        "GET /fw/{token}": .none,
        "GET /metrics": .metrics,
        // Tokens and DTLS credentials: admins only, reading them too.
        "GET /api/v1/tokens": .admin,
        "POST /api/v1/tokens": .admin,
        "DELETE /api/v1/tokens/{name}": .admin,
        "GET /api/v1/security": .admin,
        "GET /api/v1/security/{endpoint}": .admin,
        "PUT /api/v1/security/{endpoint}": .admin,
        "DELETE /api/v1/security/{endpoint}": .admin,
        // Reading: readers.
        "GET /api/v1/endpoints": .reader,
        "GET /api/v1/endpoints/{endpoint}": .reader,
        "GET /api/v1/endpoints/{endpoint}/resources/**": .reader,
        "GET /api/v1/endpoints/{endpoint}/latest": .reader,
        "GET /api/v1/endpoints/{endpoint}/observations": .reader,
        "GET /api/v1/endpoints/{endpoint}/operations": .reader,
        "GET /api/v1/endpoints/{endpoint}/firmware-updates": .reader,
        "GET /api/v1/endpoints/{endpoint}/composite": .reader,
        "GET /api/v1/endpoints/{endpoint}/resources/**/discover": .reader,
        "GET /api/v1/endpoints/{endpoint}/telemetry": .reader,
        "GET /api/v1/objects": .reader,
        "GET /api/v1/objects/{id}": .reader,
        "GET /api/v1/events": .reader,
        "GET /api/v1/event-rules": .reader,
        "GET /api/v1/observation-profiles": .reader,
        "GET /api/v1/observation-profiles/{name}": .reader,
        "GET /api/v1/operations": .reader,
        "GET /api/v1/operations/{id}": .reader,
        "GET /api/v1/stream": .reader,
        "GET /api/v1/ws": .reader,
        "GET /api/v1/firmware": .reader,
        "GET /api/v1/firmware/{id}": .reader,
        "GET /api/v1/firmware/{id}/content": .reader,
        "GET /api/v1/firmware-updates/{id}": .reader,
        "GET /api/v1/campaigns": .reader,
        "GET /api/v1/campaigns/{id}": .reader,
        // Changing things: operators.
        "DELETE /api/v1/endpoints/{endpoint}": .operator,
        "PUT /api/v1/endpoints/{endpoint}/resources/**": .operator,
        "POST /api/v1/endpoints/{endpoint}/resources/**": .operator,
        "DELETE /api/v1/endpoints/{endpoint}/resources/**": .operator,
        "POST /api/v1/endpoints/{endpoint}/firmware-updates": .operator,
        "PUT /api/v1/endpoints/{endpoint}/composite": .operator,
        "PUT /api/v1/endpoints/{endpoint}/resources/**/attributes": .operator,
        "POST /api/v1/endpoints/{endpoint}/resources/**/execute": .operator,
        "POST /api/v1/endpoints/{endpoint}/observations": .operator,
        "DELETE /api/v1/endpoints/{endpoint}/observations": .operator,
        "POST /api/v1/endpoints/{endpoint}/operations": .operator,
        "POST /api/v1/event-rules": .operator,
        "DELETE /api/v1/event-rules/{name}": .operator,
        "POST /api/v1/observation-profiles": .operator,
        "PUT /api/v1/observation-profiles/{name}": .operator,
        "DELETE /api/v1/observation-profiles/{name}": .operator,
        "POST /api/v1/operations": .operator,
        "DELETE /api/v1/operations/{id}": .operator,
        "POST /api/v1/firmware": .operator,
        "DELETE /api/v1/firmware/{id}": .operator,
        "POST /api/v1/firmware-updates/{id}/cancel": .operator,
        "POST /api/v1/campaigns": .operator,
        "POST /api/v1/campaigns/{id}/pause": .operator,
        "POST /api/v1/campaigns/{id}/resume": .operator,
        "POST /api/v1/campaigns/{id}/cancel": .operator,
    ]

    /// The routes as the server lists them, without the 405 answers every path carries for other methods and the
    /// HEAD twins of GET routes (same rule as GET).
    static func routes(_ server: ServerProcess) throws -> [String] {
        let built = try #require(server.built)
        return built.restRoutes.filter { route in
            let method = route.prefix { $0 != " " }
            return ["GET", "POST", "PUT", "DELETE"].contains(method)
        }
    }

    /// A concrete path for a route's template: names and ids nothing has.
    static func concrete(_ template: Substring) -> String {
        template.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            switch segment {
            case "**": return "3/0/0"
            case "{id}": return "999999"
            case "{objectId}": return "65000"
            case let capture where capture.hasPrefix("{"): return "nobody"
            default: return String(segment)
            }
        }.joined(separator: "/")
    }

    /// Makes a token with `role` through the API (as the admin) and returns it.
    static func makeToken(_ server: ServerProcess, name: String, role: String) async throws -> String {
        let (status, body) = try await server.http(
            "POST", "/api/v1/tokens", body: Data(#"{"name":"\#(name)","role":"\#(role)"}"#.utf8))
        #expect(status == 201, "\(String(decoding: body, as: UTF8.self))")
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        return try #require(json["token"] as? String)
    }

    /// The status curl gets for `method path` with `token` (0 when nothing answered).
    static func status(_ server: ServerProcess, _ method: String, _ path: String, token: String?, work: URL)
        async throws -> Int
    {
        let out = work.appendingPathComponent("status-\(UUID().uuidString)")
        // The stream never ends: its status line is what counts. Anything else gets time to answer on a busy machine.
        let wait = path.hasSuffix("/stream") ? "2" : "30"
        var arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", wait, "-X", method]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if method == "POST" || method == "PUT" { arguments += ["-H", "Content-Type: application/json", "--data", "{}"] }
        arguments.append("http://127.0.0.1:\(server.httpPort)\(path)")
        let child = try ChildProcess(
            executable: URL(fileURLWithPath: "/usr/bin/curl"), arguments: arguments, logURL: out)
        while child.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        let text = try String(contentsOf: out, encoding: .utf8)
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines).suffix(3)) ?? -1
    }

    /// Every route has a row, or is one of the 405 answers a path gives for the methods it does not have (the
    /// admin gets 405 there, and the role rule still applies: a reader's PUT is 403 before it is 405).
    @Test func theTableCoversEveryRoute() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let work = server.dataDir.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let routes = Set(try Self.routes(server))
        var unlisted: [String] = []
        for route in routes.subtracting(Self.table.keys).sorted() {
            let method = String(route.prefix { $0 != " " })
            let path = Self.concrete(route.drop { $0 != " " }.dropFirst())
            let status = try await Self.status(server, method, path, token: ServerProcess.token, work: work)
            if status != 405 { unlisted.append("\(route): \(status)") }
        }
        #expect(unlisted == [], "routes without a row in the role table")
        #expect(Set(Self.table.keys).subtracting(routes).sorted() == [], "rows for routes the server does not have")
    }

    @Test func everyRouteAnswersEachRoleAsTheTableSays() async throws {
        let server = ServerProcess()
        try await server.start(extraArguments: ["--metrics-token", "scrape-only-token"])
        defer { Task { await server.stop() } }
        let work = server.dataDir.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let tokens: [Caller: String] = [
            .metrics: "scrape-only-token",
            .reader: try await Self.makeToken(server, name: "dashboard", role: "reader"),
            .operator: try await Self.makeToken(server, name: "ops", role: "operator"),
            .admin: try await Self.makeToken(server, name: "second-admin", role: "admin"),
        ]
        var failures: [String] = []
        var checked = 0
        for route in try Self.routes(server).sorted() {
            guard let least = Self.table[route] else { continue }  // theTableCoversEveryRoute reports it
            let method = String(route.prefix { $0 != " " })
            let path = Self.concrete(route.drop { $0 != " " }.dropFirst())
            for caller in Caller.allCases {
                let status = try await Self.status(server, method, path, token: tokens[caller], work: work)
                let expected: String
                let ok: Bool
                if caller.rank >= least.rank {
                    expected = "neither 401 nor 403"
                    ok = status != 401 && status != 403 && status > 0
                } else if caller == .none {
                    expected = "401"
                    ok = status == 401
                } else {
                    expected = "403"
                    ok = status == 403
                }
                checked += 1
                if !ok { failures.append("\(route) as \(caller.rawValue): \(status), expected \(expected)") }
            }
        }
        #expect(failures == [])
        #expect(checked == Self.table.count * Caller.allCases.count)
        // The tokens made above still work after all those calls (nothing deleted them), and the refusals were
        // logged as security lines.
        #expect(try await Self.status(server, "GET", "/api/v1/endpoints", token: tokens[.reader], work: work) == 200)
        #expect(server.log.contains("API call refused: role"))
    }

    /// The WebSocket upgrade gets the same decisions as every other route, as close codes (hummingbird-websocket
    /// answers any declined upgrade with a bare 400): 4401 for an unknown token, 4403 for a role that may not
    /// read the stream, the stream for a reader.
    @Test func theWebSocketUpgradeAnswersLikeEveryOtherRoute() async throws {
        let server = ServerProcess()
        try await server.start(extraArguments: ["--metrics-token", "scrape-only-token"])
        defer { Task { await server.stop() } }
        let reader = try await Self.makeToken(server, name: "viewer", role: "reader")
        let port = server.httpPort
        func closed(_ token: String) async throws -> (UInt16?, String?) {
            try await onOwnThread {
                let probe = try WebSocketProbe(port: port, path: "/api/v1/ws", token: token)
                return probe.nextText() == nil ? (probe.closeCode, probe.closeReason) : (nil, "a message")
            }
        }
        let unknown = try await closed("not-a-token")
        #expect(unknown.0 == 4401)
        #expect(unknown.1 == "The bearer token is not valid.")
        let metrics = try await closed("scrape-only-token")
        #expect(metrics.0 == 4403)
        #expect(metrics.1 == "This call needs the role 'reader'; the token 'metrics' has the role 'metrics'.")
        // A reader gets the stream: a registration arrives as a message.
        let viewer = try await onOwnThread {
            try WebSocketProbe(port: port, path: "/api/v1/ws?events=REGISTRATION", token: reader)
        }
        let message = Task { try await onOwnThread { viewer.nextText() } }
        try await Task.sleep(for: .milliseconds(200))
        let registration = try await CoAPClientTool.run([
            "-m", "post", "-t", "40", "-e", "</3/0>", "\(server.coapURL)/rd?ep=ws-viewer&lt=60&lwm2m=1.1",
        ])
        #expect(registration.code == "2.01", "\(registration.output)")
        let text = try await message.value
        #expect(text?.contains("ws-viewer") == true, "\(text ?? "nothing")")
        #expect(server.log.contains("API call refused: role"))
    }
}
