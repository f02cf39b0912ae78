import Foundation
import Testing

/// The firmware store against the real server process: a 64 MiB image uploaded with curl is streamed to disk
/// (the server's resident memory does not grow by the image), stored under the SHA-256 that coreutils'
/// `sha256sum` computes independently, and downloaded back whole and from an offset.
@Suite(.serialized)
struct FirmwareStoreEndToEndTests {
    /// Runs a program to its end; its output goes to `log`.
    func run(_ executable: String, _ arguments: [String], log: URL) async throws -> Int32 {
        let child = try ChildProcess(executable: URL(fileURLWithPath: executable), arguments: arguments, logURL: log)
        while child.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        return child.process.terminationStatus
    }

    func residentKiB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }

    func sha256sum(_ file: URL, log: URL) async throws -> String {
        _ = try await run("/bin/sh", ["-c", "sha256sum '\(file.path)' | cut -d' ' -f1 > '\(log.path).out'"], log: log)
        return try String(contentsOfFile: log.path + ".out", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aSixtyFourMebibyteImageIsStreamedStoredByItsHashAndServedBack() async throws {
        let server = ServerProcess(mode: .process)  // its own resident memory is measured
        try await server.start()
        defer { Task { await server.stop() } }
        let pid = try #require(server.child?.process.processIdentifier)
        let work = server.dataDir.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let image = work.appendingPathComponent("image.bin")
        FileManager.default.createFile(atPath: image.path, contents: nil)
        let handle = try FileHandle(forWritingTo: image)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<64 {
            let chunk = (0..<(1 << 17)).map { _ in generator.next() as UInt64 }
            handle.write(chunk.withUnsafeBytes { Data($0) })
        }
        try handle.close()
        let expected = try await sha256sum(image, log: work.appendingPathComponent("sum-upload.log"))
        #expect(expected.count == 64)

        let before = residentKiB(pid)
        let answer = work.appendingPathComponent("answer.json")
        let status = try await run("/usr/bin/curl", [
            "-sS", "-o", answer.path, "-w", "%{http_code}", "-H", "Authorization: Bearer \(ServerProcess.token)",
            "-H", "Content-Type: application/octet-stream", "--data-binary", "@\(image.path)",
            "http://127.0.0.1:\(server.httpPort)/api/v1/firmware?name=big&version=64m",
        ], log: work.appendingPathComponent("curl-upload.log"))
        #expect(status == 0)
        let after = residentKiB(pid)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: answer)) as? [String: Any])
        #expect(body["size"] as? Int == 64 << 20)
        #expect(body["sha256"] as? String == expected)
        // Streamed: the image is not held whole (64 MiB) in memory.
        #expect(after - before < 32 * 1024, "resident memory grew from \(before) KiB to \(after) KiB")
        let stored = server.dataDir.appendingPathComponent("firmware/\(expected)")
        #expect(try await sha256sum(stored, log: work.appendingPathComponent("sum-stored.log")) == expected)
        let id = try #require(body["id"] as? Int)

        let download = work.appendingPathComponent("download.bin")
        #expect(try await run("/usr/bin/curl", [
            "-sSf", "-o", download.path, "-H", "Authorization: Bearer \(ServerProcess.token)",
            "http://127.0.0.1:\(server.httpPort)/api/v1/firmware/\(id)/content",
        ], log: work.appendingPathComponent("curl-download.log")) == 0)
        #expect(try await sha256sum(download, log: work.appendingPathComponent("sum-download.log")) == expected)

        // A download cut at 10 MiB resumes from there (curl -C) and ends with the same bytes.
        let partial = work.appendingPathComponent("partial.bin")
        let whole = try FileHandle(forReadingFrom: image)
        FileManager.default.createFile(atPath: partial.path, contents: try whole.read(upToCount: 10 << 20))
        try whole.close()
        #expect(try await run("/usr/bin/curl", [
            "-sSf", "-C", "-", "-o", partial.path, "-H", "Authorization: Bearer \(ServerProcess.token)",
            "http://127.0.0.1:\(server.httpPort)/api/v1/firmware/\(id)/content",
        ], log: work.appendingPathComponent("curl-resume.log")) == 0)
        #expect(try await sha256sum(partial, log: work.appendingPathComponent("sum-resume.log")) == expected)
    }
}
