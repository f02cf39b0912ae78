import Foundation
import FoundationNetworking
import Testing

/// Download links against independent clients: libcoap's `coap-client` fetches `coap://…/fw/<token>` block-wise
/// (and from a later block, as a device resuming does) and curl fetches `http://…/fw/<token>` whole and by range;
/// every byte is compared by SHA-256 with the upload, and the ETag is the same on every block.
@Suite(.serialized)
struct FirmwareDownloadEndToEndTests {
    func run(_ executable: String, _ arguments: [String], log: URL) async throws -> Int32 {
        let child = try ChildProcess(executable: URL(fileURLWithPath: executable), arguments: arguments, logURL: log)
        while child.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        return child.process.terminationStatus
    }

    func sha256(_ file: URL, _ work: URL) async throws -> String {
        let out = work.appendingPathComponent("sum-\(UUID().uuidString)")
        _ = try await run("/bin/sh", ["-c", "sha256sum '\(file.path)' | cut -d' ' -f1 > '\(out.path)'"],
                          log: out.appendingPathExtension("log"))
        return try String(contentsOf: out, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aDownloadLinkServesTheImageOverCoAPBlockwiseAndOverHTTPAndRefusesUnknownTokens() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let work = server.dataDir.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<(1 << 20)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let image = work.appendingPathComponent("image.bin")
        try Data(bytes).write(to: image)
        let expected = try await sha256(image, work)

        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.httpPort)/api/v1/firmware?name=app&version=2")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(ServerProcess.token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        let (answer, response) = try await URLSession.shared.upload(for: request, from: Data(bytes))
        #expect((response as? HTTPURLResponse)?.statusCode == 201)
        let id = try #require((try JSONSerialization.jsonObject(with: answer) as? [String: Any])?["id"] as? Int)
        let built = try #require(server.built)
        let stored = try #require(try await built.firmwareImages.image(id: Int64(id)))
        let link = built.firmwareDownloads.issue(
            for: stored, file: built.firmwareImages.fileURL(of: stored), expiresAt: Date().addingTimeInterval(600))
        #expect(link.token.count == 43)

        // CoAP, block-wise in 512-byte blocks: the whole image, the ETag on every block.
        let viaCoAP = work.appendingPathComponent("coap.bin")
        let coapLog = work.appendingPathComponent("coap-client.log")
        #expect(try await run("/usr/bin/coap-client-notls", [
            "-v", "7", "-B", "60", "-b", "512", "-o", viaCoAP.path, "\(server.coapURL)/fw/\(link.token)",
        ], log: coapLog) == 0)
        #expect(try await sha256(viaCoAP, work) == expected)
        let received = try String(contentsOf: coapLog, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("c:2.05") && $0.contains("Block2:") }
        #expect(received.count >= (1 << 20) / 512, "a 2.05 per block (coap-client may print one twice)")
        let etags = Set(received.compactMap { line in
            line.range(of: "ETag:").map { String(line[$0.upperBound...].prefix { $0 != "," && $0 != " " }) }
        })
        #expect(etags.count == 1, "\(etags)")

        // A device resuming at block 1000 of 1024-byte blocks asks for that block and gets bytes 1,024,000 on.
        let resumed = work.appendingPathComponent("resumed.bin")
        #expect(try await run("/usr/bin/coap-client-notls", [
            "-B", "60", "-b", "1000,1024", "-o", resumed.path, "\(server.coapURL)/fw/\(link.token)",
        ], log: work.appendingPathComponent("coap-resume.log")) == 0)
        #expect(try Data(contentsOf: resumed) == Data(bytes[1_024_000..<1_025_024]))

        // HTTP, no API token: whole, then from an offset.
        let viaHTTP = work.appendingPathComponent("http.bin")
        #expect(try await run("/usr/bin/curl", [
            "-sSf", "-o", viaHTTP.path, "http://127.0.0.1:\(server.httpPort)/fw/\(link.token)",
        ], log: work.appendingPathComponent("curl.log")) == 0)
        #expect(try await sha256(viaHTTP, work) == expected)
        let part = work.appendingPathComponent("part.bin")
        #expect(try await run("/usr/bin/curl", [
            "-sSf", "-r", "1000000-", "-o", part.path, "http://127.0.0.1:\(server.httpPort)/fw/\(link.token)",
        ], log: work.appendingPathComponent("curl-range.log")) == 0)
        #expect(try Data(contentsOf: part) == Data(bytes[1_000_000...]))

        // Guessed and revoked tokens: 4.04 over CoAP, 404 over HTTP, and a log line.
        let guessed = try await CoAPClientTool.run(["\(server.coapURL)/fw/not-a-token"])
        #expect(guessed.code == "4.04", "\(guessed.output)")
        built.firmwareDownloads.revoke(link.token)
        let revoked = try await CoAPClientTool.run(["\(server.coapURL)/fw/\(link.token)"])
        #expect(revoked.code == "4.04", "\(revoked.output)")
        let (status, _) = try await server.http("GET", "/fw/\(link.token)", token: nil)
        #expect(status == 404)
        #expect(server.log.contains("firmware download refused"))
        let expired = built.firmwareDownloads.issue(
            for: stored, file: built.firmwareImages.fileURL(of: stored), expiresAt: Date().addingTimeInterval(-1))
        #expect(try await server.http("GET", "/fw/\(expired.token)", token: nil).0 == 404)
    }
}
