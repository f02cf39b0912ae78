import LwM2M

/// One page of buckets.
public struct TelemetryBucketPage: Sendable, Equatable {
    /// The series' data type, `nil` when the resource was never stored.
    public var dataType: ResourceDataType?
    /// The buckets, in the query's order.
    public var buckets: [TelemetryBucket]
    /// Where the next page starts, `nil` on the last page.
    public var nextCursor: TelemetryCursor?

    /// Creates a page.
    public init(dataType: ResourceDataType?, buckets: [TelemetryBucket], nextCursor: TelemetryCursor?) {
        self.dataType = dataType
        self.buckets = buckets
        self.nextCursor = nextCursor
    }
}
