import Crypto
/// A firmware package a simulated device received (pulled from a Package URI or pushed into Package `/5/0/0`,
/// LwM2M 1.1 Core §E.6), with what the simulator makes of it.
///
/// Version convention of the simulator: a package that starts with the ASCII line `LWM2M-SIM-FW <version>\n`
/// (version 1 to 255 printable ASCII characters, no spaces) carries that version and the name `lwm2m-sim`; any other
/// package is version `sha256:` followed by the first 12 hex digits of its SHA-256, with an empty name.
struct FirmwarePackage: Sendable, Equatable {
    /// Its length in bytes.
    let size: Int
    /// Its SHA-256, 64 lower-case hex digits.
    let sha256: String
    /// The version it installs as (`/3/0/3`, `/5/0/7`).
    let version: String
    /// Its name (`/5/0/6`): `lwm2m-sim` with a version header, else empty.
    let name: String

    /// The first bytes of a package with a version header.
    static let header = Array("LWM2M-SIM-FW ".utf8)

    /// Hashes `bytes` and reads the version header.
    init(bytes: [UInt8]) {
        size = bytes.count
        sha256 = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        if let version = Self.headerVersion(bytes) {
            self.version = version
            name = "lwm2m-sim"
        } else {
            version = "sha256:" + sha256.prefix(12)
            name = ""
        }
    }

    /// The version of a `LWM2M-SIM-FW <version>\n` first line, or `nil` when the package has none.
    static func headerVersion(_ bytes: [UInt8]) -> String? {
        guard bytes.count > header.count, Array(bytes.prefix(header.count)) == header else { return nil }
        let rest = bytes.dropFirst(header.count).prefix(256)
        guard let newline = rest.firstIndex(of: 0x0a) else { return nil }
        let version = rest[rest.startIndex..<newline]
        guard !version.isEmpty, version.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return nil }
        return String(decoding: version, as: UTF8.self)
    }
}
