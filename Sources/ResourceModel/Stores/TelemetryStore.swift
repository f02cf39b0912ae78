import LwM2M

/// Stored device values (notifications and Sends, LwM2M 1.1 Transport §6.4.2, §6.5.1): the ingest's batch write
/// and the REST API's queries. `AppDatabase` implements it over SQLite.
public protocol TelemetryStore: Sendable {
    /// Writes `reports` in ONE transaction, in order, and returns one outcome per report: each leaf value is
    /// stored typed by its resource type (a type is added for resources the model does not know), the series'
    /// latest value follows, and every event rule matching values of one report makes one event. Completes
    /// even when the calling task is cancelled (a hard shutdown must not lose a batch).
    func write(_ reports: [DeviceReport]) async throws -> [TelemetryWriteOutcome]

    /// One page of a series' values; `nil` when the endpoint is not stored. Ordered by (timestamp, id) as the
    /// query asks, `from` inclusive, `to` exclusive; `nextCursor` continues after the last point.
    func telemetry(_ query: TelemetryQuery) async throws -> TelemetryPage?

    /// One page of a series aggregated into buckets of `width` milliseconds aligned to the epoch; `nil` when
    /// the endpoint is not stored. Throws `TelemetryQueryError` for `avg`, `min`, `max` of a non-numeric series.
    func telemetryBuckets(_ query: TelemetryQuery, width: Int64, aggregation: TelemetryAggregation)
        async throws -> TelemetryBucketPage?

    /// The newest value of every series of `endpoint`, sorted by path; `nil` when the endpoint is not stored.
    func latestValues(endpoint: String) async throws -> [LatestValue]?
}
