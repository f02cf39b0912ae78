import Foundation
import GRDB

extension DatabaseDateEncodingStrategy {
    /// Epoch milliseconds rounded like `EpochMilliseconds.from` (GRDB's `.millisecondsSince1970` floors, so an
    /// instant read back and written again could lose a millisecond, and the API rounds): what is stored is
    /// what the API shows, before and after a round trip.
    static let storedMilliseconds = DatabaseDateEncodingStrategy.custom { EpochMilliseconds.from($0) }
}

extension DatabaseDateDecodingStrategy {
    /// The inverse of `DatabaseDateEncodingStrategy.storedMilliseconds`.
    static let storedMilliseconds = DatabaseDateDecodingStrategy.custom { value in
        Int64.fromDatabaseValue(value).map(EpochMilliseconds.date)
    }
}
