import GRDB

/// A record whose instants are stored as epoch milliseconds (`INTEGER`, GRDB's `.millisecondsSince1970`), the
/// convention of every table since v1. The operation queue's records round instead (`storedMilliseconds`) and
/// say so themselves.
protocol EpochMillisecondRecord: EncodableRecord, FetchableRecord {}

extension EpochMillisecondRecord {
    /// Instants are stored as epoch milliseconds.
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .millisecondsSince1970
    }

    /// Instants are read back from epoch milliseconds.
    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .millisecondsSince1970
    }
}
