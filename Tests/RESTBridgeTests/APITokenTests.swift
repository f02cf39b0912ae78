import Foundation
import Testing

@testable import RESTBridge

@Suite("APIToken.resolve")
struct APITokenTests {
    /// A fresh directory path (not created) under the temporary directory.
    func makeDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("api-token-\(UUID().uuidString)/data")
    }

    @Test("the environment wins over the file and writes nothing")
    func environmentWins() throws {
        let directory = makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "from-file\n".write(to: directory.appendingPathComponent("api-token"), atomically: true, encoding: .utf8)

        let resolved = try APIToken.resolve(environment: ["LWM2M_API_TOKEN": " from-env \n"], dataDirectory: directory)
        #expect(resolved.token == "from-env")
        #expect(resolved.generated == false)
    }

    @Test("the file is used when the environment has no (or a blank) token", arguments: [[:], ["LWM2M_API_TOKEN": "  "]])
    func fileSecond(environment: [String: String]) throws {
        let directory = makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "from-file\n".write(to: directory.appendingPathComponent("api-token"), atomically: true, encoding: .utf8)

        let resolved = try APIToken.resolve(environment: environment, dataDirectory: directory)
        #expect(resolved.token == "from-file")
        #expect(resolved.generated == false)
    }

    @Test("otherwise a 64-hex-digit token is generated into a 0600 file, then reused")
    func generated() throws {
        let directory = makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }

        let first = try APIToken.resolve(environment: [:], dataDirectory: directory)
        #expect(first.generated)
        #expect(first.token.count == 64)
        #expect(first.token.allSatisfy { "0123456789abcdef".contains($0) })

        let file = directory.appendingPathComponent("api-token")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try String(contentsOf: file, encoding: .utf8) == first.token + "\n")

        let second = try APIToken.resolve(environment: [:], dataDirectory: directory)
        #expect(second.token == first.token)
        #expect(second.generated == false)
    }

    @Test("a blank token file is replaced by a generated token")
    func blankFile() throws {
        let directory = makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "\n".write(to: directory.appendingPathComponent("api-token"), atomically: true, encoding: .utf8)

        let resolved = try APIToken.resolve(environment: [:], dataDirectory: directory)
        #expect(resolved.generated)
        #expect(resolved.token.count == 64)
    }

    @Test("generated tokens differ")
    func distinct() {
        #expect(APIToken.generate() != APIToken.generate())
    }
}
