import Foundation
import Hummingbird
import LwM2M

extension APIRequestContext {
    /// The `{endpoint}` path parameter, percent-decoded and in NFC (`EndpointName`).
    func endpointName() throws -> String {
        let raw = try parameters.require("endpoint")
        return EndpointName.canonical(raw.removingPercentEncoding ?? raw)
    }

    /// The LwM2M path in the `**` part of the route, e.g. `3/0/7/1` → `/3/0/7/1`; 400 problem when it is not
    /// a path or its depth is not in `depths` (`operation` names the request in the message). Segments are
    /// percent-decoded, so the escaped form generated clients send for a `{path}` parameter (`3%2F0%2F9`) is the
    /// same path.
    func lwm2mPath(depths: ClosedRange<Int>, operation: String) throws(Problem) -> LwM2MPath {
        let text = "/" + parameters.getCatchAll().map { $0.removingPercentEncoding ?? String($0) }.joined(separator: "/")
        let path: LwM2MPath
        do {
            path = try LwM2MPath(text)
        } catch {
            throw Problem.invalidPath(text, error.message)
        }
        guard depths.contains(path.depth) else {
            throw Problem.invalidPath(text, "\(operation) targets \(Self.describe(depths))")
        }
        return path
    }

    /// `"an object instance or a resource"` for a depth range.
    static func describe(_ depths: ClosedRange<Int>) -> String {
        let names = ["an object (/o)", "an object instance (/o/i)", "a resource (/o/i/r)", "a resource instance (/o/i/r/ri)"]
        let chosen = depths.map { names[$0 - 1] }
        guard chosen.count > 1 else { return chosen.first ?? "" }
        return chosen.dropLast().joined(separator: ", ") + " or " + chosen.last!
    }
}

extension Request {
    /// No cap of the routes' own: `BodyLimitMiddleware` has already read the body up to `--max-body-size`.
    static let maxBodySize = Int.max

    /// The body parsed as JSON; 400 problem when it is empty or not JSON, 413 when it is too large.
    func jsonBody() async throws -> RequestJSON {
        let buffer = try await body.collect(upTo: Self.maxBodySize)
        do {
            return try RequestJSON.parse(buffer.readableBytesView)
        } catch {
            throw Problem.invalidBody(error)
        }
    }
}
