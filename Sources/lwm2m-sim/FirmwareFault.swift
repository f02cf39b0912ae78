import ArgumentParser

/// `--fw-fail KIND`: how the firmware update of the chosen devices goes wrong, with the Update Result it reports
/// (LwM2M 1.1 Core §E.6, `/5/0/5`).
enum FirmwareFault: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// The package arrives whole, then fails its check: State 0, Update Result 5.
    case integrity
    /// No room for the package: Update Result 2 as the download starts, State 0.
    case noFlash = "no-flash"
    /// Out of memory halfway through the download: Update Result 3, State 0.
    case noRAM = "no-ram"
    /// The first download breaks off halfway: Update Result 4, State 0; a new Package URI write downloads normally.
    case connectionLost = "connection-lost"
    /// Execute Update fails after the install time: back to State 2 with Update Result 8, the package kept, no reboot.
    case updateFailed = "update-failed"
    /// After the Package URI write the device answers no request to Object 5 (each is acknowledged with an empty
    /// ACK and never answered) and never changes its state.
    case timeout
    /// The download never ends: State 1 for good.
    case stuckDownloading = "stuck-downloading"

    /// The `round(ratio × names.count)` names that fail: the first by FNV-1a hash of the name (ties by name), so the
    /// same devices fail on every run with the same names.
    static func failing(names: [String], ratio: Double) -> [String] {
        let count = min(names.count, max(0, Int((ratio * Double(names.count)).rounded())))
        return names.map { (name: $0, hash: fnv1a($0)) }
            .sorted { $0.hash != $1.hash ? $0.hash < $1.hash : $0.name < $1.name }
            .prefix(count).map(\.name)
    }

    /// The 64-bit FNV-1a hash of the UTF-8 bytes (stable across runs and platforms, unlike `Hasher`).
    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }
}
