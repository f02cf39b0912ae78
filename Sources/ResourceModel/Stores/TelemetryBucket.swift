import Foundation
import LwM2M

/// One time bucket of an aggregated series.
public struct TelemetryBucket: Sendable, Equatable {
    /// The bucket's first instant (a multiple of the width since the epoch).
    public var start: Date
    /// The aggregate: typed like the series for `min`, `max`, `last`; a float for `avg`; an integer for `count`.
    public var value: LwM2MValue?
    /// The number of values in the bucket.
    public var count: Int

    /// Creates a bucket.
    public init(start: Date, value: LwM2MValue?, count: Int) {
        self.start = start
        self.value = value
        self.count = count
    }
}
