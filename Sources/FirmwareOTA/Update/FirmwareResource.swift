import Foundation

/// The LwM2M resources a firmware update reads, writes, observes or executes (LwM2M 1.1 Core §E.6, Object 5
/// Firmware Update, and §E.4, Object 3 Device), by path.
public enum FirmwareResource: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// `/5/0/0` Package: the image, written block-wise by the server (push delivery).
    case package = "/5/0/0"
    /// `/5/0/1` Package URI: where the device downloads the image from (pull delivery); empty resets.
    case packageURI = "/5/0/1"
    /// `/5/0/2` Update: executed to install the downloaded package.
    case update = "/5/0/2"
    /// `/5/0/3` State: 0 Idle, 1 Downloading, 2 Downloaded, 3 Updating.
    case state = "/5/0/3"
    /// `/5/0/5` Update Result: 0 initial value, 1 success, 2...11 the outcomes of §E.6.
    case updateResult = "/5/0/5"
    /// `/5/0/7` PkgVersion: the version of the package the device holds.
    case packageVersion = "/5/0/7"
    /// `/5/0/8` Firmware Update Protocol Support: the download protocols of the device.
    case protocolSupport = "/5/0/8"
    /// `/5/0/9` Firmware Update Delivery Method: 0 pull only, 1 push only, 2 both.
    case deliveryMethod = "/5/0/9"
    /// `/5/0/10` Cancel (LwM2M 1.1): executed to cancel the update.
    case cancel = "/5/0/10"
    /// `/3/0/3` Firmware Version of the Device object.
    case firmwareVersion = "/3/0/3"

    /// The path, `"/5/0/3"`.
    public var path: String { rawValue }

    /// What an update observes while it runs, and reads when a change of it is overdue: State and Update Result.
    public static let progress: [FirmwareResource] = [.state, .updateResult]

    /// What an update reads to verify the installed version: Firmware Version and PkgVersion.
    public static let versions: [FirmwareResource] = [.firmwareVersion, .packageVersion]
}
