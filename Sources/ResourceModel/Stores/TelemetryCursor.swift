/// The position after the last value (or bucket) of a page: its timestamp (bucket start) and row id (0 for
/// buckets). Keyset paging: the next page starts strictly after it in the query's order.
public struct TelemetryCursor: Sendable, Equatable {
    /// The timestamp, epoch milliseconds.
    public var timestamp: Int64
    /// The `resource` row id.
    public var id: Int64

    /// Creates a cursor.
    public init(timestamp: Int64, id: Int64) {
        self.timestamp = timestamp
        self.id = id
    }
}
