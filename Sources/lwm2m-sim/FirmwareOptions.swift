import Foundation

/// How simulated devices handle firmware updates through Object 5 (LwM2M 1.1 Core §E.6): the version they start
/// with, how long installing takes, a broken first download to resume, the log of received packages and the
/// injected faults.
struct FirmwareOptions: Sendable {
    /// `--firmware-version`: `/3/0/3` at start.
    var firmwareVersion = "1.0.0"
    /// `--fw-install-ms`: how long Execute Update (`/5/0/2`) takes before the device reboots with the new version.
    var installDelay: Duration = .milliseconds(500)
    /// `--fw-interrupt-at`: the first download of each device breaks off after this many bytes and resumes from there
    /// after `resumeDelay` (nil: downloads run through).
    var interruptAt: Int?
    /// How long a broken download waits before it resumes.
    var resumeDelay: Duration = .seconds(1)
    /// `--fw-log`: where every received package (and every device chosen to fail) is written.
    var log: FirmwareLog?
    /// `--fw-fail`: the fault of the failing devices.
    var fault: FirmwareFault?
    /// The endpoints chosen to fail (`--fw-fail-ratio`, `FirmwareFault.failing`).
    var failing: Set<String> = []
    /// `--fw-max-block`: the largest Block1 block a device takes in a push to `/5/0/0`; a larger one is answered
    /// 4.13 with a Block1 option of this size (RFC 7959 §2.9.3). `nil`: libcoap reassembles pushes itself.
    var maxBlock: Int?

    /// The fault that endpoint `name` has, if it was chosen to fail.
    func fault(for name: String) -> FirmwareFault? {
        failing.contains(name) ? fault : nil
    }
}
