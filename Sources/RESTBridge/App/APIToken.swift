import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the REST API's bearer token: environment first, then the data directory's token file, else a new one.
public enum APIToken {
    /// The environment variable that, when set and not blank, holds the token.
    public static let environmentVariable = "LWM2M_API_TOKEN"
    /// The token file's name inside the data directory.
    public static let fileName = "api-token"

    /// The token to use, and whether it was just generated (the server then prints it once).
    ///
    /// Order: `LWM2M_API_TOKEN` (trimmed; blank counts as unset); else `<dataDirectory>/api-token` (trimmed;
    /// blank counts as absent); else 32 random bytes from `SystemRandomNumberGenerator` as 64 lowercase hex
    /// digits, written to that file (created with mode 0600, never readable by others, not even briefly).
    public static func resolve(
        environment: [String: String], dataDirectory: URL
    ) throws -> (token: String, generated: Bool) {
        if let value = environment[environmentVariable].map(trimmed), !value.isEmpty {
            return (value, false)
        }
        let file = dataDirectory.appendingPathComponent(fileName)
        if let stored = try load(file) {
            return (stored, false)
        }
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let token = generate()
        if try create(file, holding: token) {
            return (token, true)
        }
        // Another process created the file between our read and our write: use its token.
        guard let stored = try load(file) else { throw APITokenError(path: file.path, code: EEXIST) }
        return (stored, false)
    }

    /// A new token: 32 random bytes as 64 lowercase hex digits.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            return String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined()
    }

    /// The trimmed, non-blank content of `file`, or `nil` when it does not exist or is blank.
    private static func load(_ file: URL) throws -> String? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let value = trimmed(try String(contentsOf: file, encoding: .utf8))
        return value.isEmpty ? nil : value
    }

    /// Creates `file` with mode 0600 holding `token` and a newline; `false` if a non-blank file appeared meanwhile.
    /// A blank file is replaced.
    private static func create(_ file: URL, holding token: String) throws -> Bool {
        let path = file.path
        if FileManager.default.fileExists(atPath: path), try load(file) == nil {
            try FileManager.default.removeItem(at: file)
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if descriptor < 0 {
            if errno == EEXIST { return false }
            throw APITokenError(path: path, code: errno)
        }
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o600) == 0 else { throw APITokenError(path: path, code: errno) }
        let bytes = Array((token + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw APITokenError(path: path, code: errno)
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else { throw APITokenError(path: path, code: errno) }
        return true
    }

    private static func trimmed(_ value: String) -> String {
        value.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
