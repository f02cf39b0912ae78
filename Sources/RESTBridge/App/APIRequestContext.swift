import Foundation
import Hummingbird
import HummingbirdAuth

/// The request context of the REST API: Hummingbird's basic context with the API's JSON encoding and the
/// identity `APITokenAuthenticator` found (hummingbird-auth's `AuthRequestContext`).
public struct APIRequestContext: AuthRequestContext {
    /// Hummingbird's per-request storage (logger, parameters).
    public var coreContext: CoreRequestContextStorage
    /// Who the request comes from; `nil` on the routes before authentication (`/healthz`, download links).
    public var identity: APIIdentity?

    /// Creates the context for one request.
    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.identity = nil
    }

    /// Encodes responses with `APIJSON.encoder()` (ISO 8601 UTC with milliseconds, sorted keys).
    public var responseEncoder: JSONEncoder { APIJSON.encoder() }
}
