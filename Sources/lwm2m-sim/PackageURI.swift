import Foundation

/// A Package URI (`/5/0/1`, LwM2M 1.1 Core §E.6) a simulated device can download from: `coap://`, `coaps://`
/// (devices that talk DTLS to their server, with the same PSK) or `http://`, with a host and an optional port.
struct PackageURI: Sendable, Equatable {
    /// The transports, as resource 8 (Firmware Update Protocol Support) numbers them.
    enum Scheme: String, Sendable {
        case coap
        case coaps
        case http

        /// The default port (RFC 7252 §6.1, §6.2; RFC 9110 §4.2.1).
        var defaultPort: UInt16 {
            switch self {
            case .coap: 5683
            case .coaps: 5684
            case .http: 80
            }
        }
    }

    /// Why a URI cannot be downloaded from: the Update Result it sets.
    enum Refusal: Error, Equatable {
        /// Not a URI, no host, a bad port: Update Result 7 (invalid URI).
        case invalid
        /// A scheme the device does not speak (`https`, `ftp`, `coaps` without DTLS): Update Result 9.
        case unsupportedProtocol
    }

    let text: String
    let scheme: Scheme
    /// The host, IPv6 literals without brackets.
    let host: String
    let port: UInt16
    /// The path as sent (percent-encoded), `/` when empty.
    let encodedPath: String
    /// The query as sent, without `?`.
    let encodedQuery: String?

    /// Parses `text`; `dtls` says whether the device can open DTLS sessions (it has a PSK).
    init(_ text: String, dtls: Bool) throws(Refusal) {
        guard let components = URLComponents(string: text), let rawScheme = components.scheme?.lowercased() else {
            throw .invalid
        }
        guard let scheme = Scheme(rawValue: rawScheme), scheme != .coaps || dtls else { throw .unsupportedProtocol }
        guard let host = components.host, !host.isEmpty, components.user == nil else { throw .invalid }
        let port = components.port
        guard port.map({ (1...65535).contains($0) }) ?? true else { throw .invalid }
        self.text = text
        self.scheme = scheme
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        self.port = port.map { UInt16($0) } ?? scheme.defaultPort
        encodedPath = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        encodedQuery = components.percentEncodedQuery
    }

    /// The Uri-Path segments (RFC 7252 §6.4), decoded.
    var pathSegments: [String] {
        encodedPath.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            .map { $0.removingPercentEncoding ?? String($0) }
            .filter { !$0.isEmpty }
    }

    /// The Uri-Query items, decoded.
    var queryItems: [String] {
        (encodedQuery ?? "").split(separator: "&").map { $0.removingPercentEncoding ?? String($0) }
    }
}
