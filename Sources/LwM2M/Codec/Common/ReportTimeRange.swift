/// The SenML / LwM2M JSON times (`bt + t`, seconds) the server accepts from a device.
///
/// Absolute times run from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, what ISO 8601 with a four-digit
/// year prints and what fits in Int64 milliseconds; times with magnitude below 2^28 are relative to now
/// (RFC 8428 §4.5.3) and are accepted as well. Anything else (`1e16`, `±1e300`, NaN, infinities) is refused.
public enum ReportTimeRange {
    /// 2^28 seconds: below it a SenML time is relative (RFC 8428 §4.5.3).
    public static let relativeLimit: Double = 268_435_456
    /// The latest accepted instant, 9999-12-31T23:59:59.999Z, in seconds since the epoch.
    public static let latest: Double = 253_402_300_799.999
    /// The latest accepted instant in milliseconds since the epoch.
    public static let latestMilliseconds: Int64 = 253_402_300_799_999

    /// Whether `seconds` is an accepted time.
    public static func contains(_ seconds: Double) -> Bool {
        seconds.isFinite && seconds > -relativeLimit && seconds <= latest
    }

    /// Throws `invalidValue` for a time outside the range.
    static func check(_ seconds: Double?, path: LwM2MPath?) throws(LwM2MCodecError) {
        guard let seconds, !contains(seconds) else { return }
        throw LwM2MCodecError(
            .invalidValue,
            "time \(seconds) is outside 1970-01-01T00:00:00Z...9999-12-31T23:59:59.999Z (or a relative time below 2^28 s)",
            path: path)
    }
}
