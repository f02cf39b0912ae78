import Foundation

/// How simulated devices report on their own (LwM2M 1.1 Core §6.4 Information Reporting): notifications of the
/// server's observations and periodic Sends.
struct ReportingOptions: Sendable {
    /// `--notify-interval`: every observer hears at least this often, as with `pmax` (nil: attributes only).
    var notifyInterval: TimeInterval?
    /// `--confirmable-notifications`: every notification confirmable (otherwise every 5th).
    var confirmableNotifications = false
    /// `--send`: seconds between two Sends of a device (nil: none).
    var sendInterval: TimeInterval?
    /// `--report-log`: where every reported value is written.
    var reportLog: ReportLog?

    /// `--stats-file`: where the running counters are written every second (JSON, replaced atomically).
    var statsFile: String?

    /// `--tick-ms`: how often the ticker looks for due notifications and Sends.
    var tick: Duration = .milliseconds(250)
    /// Without `--confirmable-notifications`, every n-th notification is confirmable (RFC 7641 §4.5: now and then
    /// a confirmable one tells whether the observer is still there).
    static let confirmableEvery = 5

    /// Whether the `count`-th notification of an observation goes confirmable.
    func isConfirmable(count: Int) -> Bool {
        confirmableNotifications || count % Self.confirmableEvery == 0
    }
}
