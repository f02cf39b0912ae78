import Foundation

/// The meaning of one `/5/0/5` Update Result value (LwM2M 1.1 Core §E.6; 10 and 11 are new in 1.1): a short
/// machine name, a reason for operators, and what it means for the update.
public struct FirmwareResult: Sendable, Equatable, Hashable, Codable {
    /// What a result means for an update.
    public enum Outcome: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
        /// 0, the initial value: no outcome yet.
        case notAResult = "not-a-result"
        /// 1: the firmware was updated (the server still verifies the version).
        case success
        /// 2...9, 11 and unknown values: the update did not happen.
        case failure
        /// 10: the update was cancelled on the device.
        case cancelled
    }

    /// The codes LwM2M 1.1 defines.
    public static let knownCodes: ClosedRange<Int> = 0...11

    /// The `/5/0/5` value.
    public let code: Int
    /// A short machine name, `"not-enough-flash"`; `"unknown"` for codes outside 0...11.
    public let name: String
    /// A reason for operators, `"not enough flash memory for the new package"`.
    public let reason: String
    /// Success, failure, cancellation or no result yet.
    public let outcome: Outcome

    /// The meaning of `code`; codes outside 0...11 are failures named `"unknown"`.
    public init(code: Int) {
        self.code = code
        let known: (name: String, reason: String, outcome: Outcome)
        switch code {
        case 0: known = ("initial", "no update result yet (initial value)", .notAResult)
        case 1: known = ("updated", "firmware updated successfully", .success)
        case 2: known = ("not-enough-flash", "not enough flash memory for the new package", .failure)
        case 3: known = ("out-of-ram", "out of RAM during the download", .failure)
        case 4: known = ("connection-lost", "connection lost during the download", .failure)
        case 5: known = ("integrity-check-failure", "integrity check of the new package failed", .failure)
        case 6: known = ("unsupported-package-type", "unsupported package type", .failure)
        case 7: known = ("invalid-uri", "invalid package URI", .failure)
        case 8: known = ("update-failed", "firmware update failed", .failure)
        case 9: known = ("unsupported-protocol", "unsupported download protocol", .failure)
        case 10: known = ("cancelled", "firmware update cancelled", .cancelled)
        case 11: known = ("deferred", "firmware update deferred", .failure)
        default: known = ("unknown", "unknown update result \(code)", .failure)
        }
        name = known.name
        reason = known.reason
        outcome = known.outcome
    }

    /// Whether the update may be retried after this result: only 4 (connection lost during the download), and
    /// the download resumes where it stopped. The others would fail again (2, 3, 5, 6, 7, 9), may brick a device
    /// in an install loop (8), or override the device's own decision (11 deferred).
    public var isRetryable: Bool { code == 4 }
}
