import Foundation
import Hummingbird

/// The request context of the REST API: Hummingbird's basic context with the API's JSON encoding.
public struct APIRequestContext: RequestContext {
    /// Hummingbird's per-request storage (logger, parameters).
    public var coreContext: CoreRequestContextStorage

    /// Creates the context for one request.
    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// Encodes responses with `APIJSON.encoder()` (ISO 8601 UTC with milliseconds, sorted keys).
    public var responseEncoder: JSONEncoder { APIJSON.encoder() }
}
