import LwM2M

/// One page of a range query.
public struct TelemetryPage: Sendable, Equatable {
    /// The series' data type, `nil` when the resource was never stored.
    public var dataType: ResourceDataType?
    /// The values, in the query's order.
    public var points: [TelemetryPoint]
    /// Where the next page starts, `nil` on the last page.
    public var nextCursor: TelemetryCursor?

    /// Creates a page.
    public init(dataType: ResourceDataType?, points: [TelemetryPoint], nextCursor: TelemetryCursor?) {
        self.dataType = dataType
        self.points = points
        self.nextCursor = nextCursor
    }
}
