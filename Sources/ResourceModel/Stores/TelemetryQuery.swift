import Foundation
import LwM2M

/// A range query over one series: the values of one resource (or resource instance) of one endpoint.
public struct TelemetryQuery: Sendable, Equatable {
    /// The largest `limit` a telemetry (or event) query accepts; larger ones are clamped to it.
    public static let maxLimit = 10_000

    /// The order values are returned in.
    public enum Order: String, Sendable, Equatable, CaseIterable {
        /// Oldest first.
        case ascending = "asc"
        /// Newest first.
        case descending = "desc"
    }

    /// The endpoint client name.
    public var endpoint: String
    /// `/o/i/r` (a single resource) or `/o/i/r/ri` (one instance of a multiple resource).
    public var path: LwM2MPath
    /// The earliest timestamp included, if any.
    public var from: Date?
    /// The first timestamp excluded, if any.
    public var to: Date?
    /// The most values (or buckets) returned.
    public var limit: Int
    /// The order.
    public var order: Order
    /// Where the previous page ended (`nextCursor` of that page), if this is a follow-up page.
    public var cursor: TelemetryCursor?

    /// Creates a query (newest first, 100 values, whole range by default).
    public init(
        endpoint: String, path: LwM2MPath, from: Date? = nil, to: Date? = nil, limit: Int = 100,
        order: Order = .descending, cursor: TelemetryCursor? = nil
    ) {
        precondition(path.depth >= 3, "a series is a resource or resource instance path")
        self.endpoint = endpoint
        self.path = path
        self.from = from
        self.to = to
        self.limit = limit
        self.order = order
        self.cursor = cursor
    }
}
