import Foundation

/// Runs libcoap's `coap-client-notls` and reads the response code and Location-Path from its debug output.
enum CoAPClientTool {
    struct Result {
        var code: String?
        var locationPath: [String]
        var output: String
    }

    static func run(_ arguments: [String], executable: String = "/usr/bin/coap-client-notls") async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        // -v 7 prints the received PDU; -B bounds the wait for an answer.
        process.arguments = ["-v", "7", "-B", "5"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        // A received PDU line looks like: v:1 t:ACK c:2.01 i:2d4e {01} [ Location-Path:rd, Location-Path:abc ]
        var code: String?
        var location: [String] = []
        for line in output.split(separator: "\n") where line.contains("t:ACK c:") || line.contains("t:CON c:") {
            // The PDUs coap-client sends are printed too (c:POST): only response codes count.
            guard let range = line.range(of: " c:"), line[range.upperBound...].first?.isNumber == true else { continue }
            code = String(line[range.upperBound...].prefix(4))
            location = line.components(separatedBy: "Location-Path:").dropFirst().map {
                String($0.prefix { $0 != "," && $0 != " " && $0 != "]" })
            }
        }
        return Result(code: code, locationPath: location, output: output)
    }

    /// POST /rd with a link-format payload.
    static func register(_ server: ServerProcess, query: String, links: String = "</1/0>,</3/0>") async throws -> Result {
        try await run(["-m", "post", "-t", "40", "-e", links, "\(server.coapURL)/rd?\(query)"])
    }
}
