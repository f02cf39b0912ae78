import CoAP

/// The Firmware Update state machine of one simulated device (Object 5, LwM2M 1.1 Core §E.6.1, Figure E.6.1-1):
/// State (`/5/0/3`) and Update Result (`/5/0/5`), the package held, and which background download or install is
/// current. A value type: `SimulatedDevice` keeps it behind a lock (taken after the tree's), carries out what
/// its event methods decide and copies State and Update Result into the object tree.
///
/// Background work carries the `generation` it was started in; a reset, a Cancel or a new delivery moves the
/// generation on, and work of an older generation changes nothing when it ends.
struct SimulatedFirmware: Sendable {
    /// `/5/0/3`.
    enum State: Int64, Sendable {
        case idle = 0
        case downloading = 1
        case downloaded = 2
        case updating = 3
    }

    /// `/5/0/5`.
    enum Result: Int64, Sendable {
        case initial = 0
        case success = 1
        case notEnoughFlash = 2
        case outOfRAM = 3
        case connectionLost = 4
        case integrityFailure = 5
        case unsupportedPackage = 6
        case invalidURI = 7
        case updateFailed = 8
        case unsupportedProtocol = 9
        case cancelled = 10
        case deferred = 11
    }

    /// What a write of Package URI (`/5/0/1`) or Package (`/5/0/0`) leads to.
    enum WriteDecision: Sendable, Equatable {
        /// Refuse the write with this code; nothing changes.
        case refused(CoAPCode, String)
        /// Back to Idle with Update Result 0, whatever was under way abandoned.
        case reset
        /// Accepted, and it failed at once with the Update Result now set (State Idle).
        case failed(Result)
        /// Accepted; the device goes silent for Object 5 (`--fw-fail timeout`).
        case silenced
        /// Accepted; State Downloading, and nothing more will happen (`--fw-fail stuck-downloading`).
        case stuck
        /// Download from the URI in the background (State Downloading); `first` says whether it is the device's
        /// first download (the one `--fw-interrupt-at` and `connection-lost` break).
        case download(PackageURI, generation: Int, first: Bool)
        /// Take the pushed package (State Downloading until it is checked).
        case push([UInt8], generation: Int)
    }

    /// How an install ended.
    enum InstallEnd: Sendable, Equatable {
        /// Installed: reboot with this package's version.
        case reboot(FirmwarePackage)
        /// Failed (`--fw-fail update-failed`): the package is kept, no reboot.
        case failed
    }

    private(set) var state = State.idle
    private(set) var result = Result.initial
    /// The package downloaded (State Downloaded, or kept after a failed install).
    private(set) var package: FirmwarePackage?
    /// The generation of the current background work.
    private(set) var generation = 0
    /// Downloads started so far (pulls and pushes).
    private(set) var downloads = 0
    /// Whether the device stopped answering Object 5 (`--fw-fail timeout` after a URI write).
    private(set) var silenced = false
    /// The background download or install, cancelled when the generation moves on.
    var work: Task<Void, Never>?

    /// A write of Package URI with `text`. A non-empty URI is taken in Idle only: Downloading answers 4.05,
    /// Downloaded and Updating 4.00 (as Anjay does); an empty one resets (LwM2M 1.1 Core §E.6: "writing an empty
    /// string … resets"), except while Updating (4.05: installing cannot be stopped).
    mutating func writeURI(_ text: String, dtls: Bool, fault: FirmwareFault?) -> WriteDecision {
        if let decision = admit(empty: text.isEmpty, reset: "write an empty Package URI first") { return decision }
        let uri: PackageURI
        do {
            uri = try PackageURI(text, dtls: dtls)
        } catch {
            abandon()
            switch error {
            case .invalid: result = .invalidURI
            case .unsupportedProtocol: result = .unsupportedProtocol
            }
            return .failed(result)
        }
        abandon()
        switch fault {
        case .noFlash?:
            result = .notEnoughFlash
            return .failed(result)
        case .timeout?:
            silenced = true
            return .silenced
        case .stuckDownloading?:
            state = .downloading
            result = .initial
            downloads += 1
            return .stuck
        case .integrity?, .noRAM?, .connectionLost?, .updateFailed?, nil:
            state = .downloading
            result = .initial
            downloads += 1
            return .download(uri, generation: generation, first: downloads == 1)
        }
    }

    /// What every write of Package or Package URI starts with: refused while installing, downloading or holding
    /// a package (`reset` says how to let go of it); an empty value resets the update. `nil`: go on.
    private mutating func admit(empty: Bool, reset how: String) -> WriteDecision? {
        if state == .updating { return .refused(.methodNotAllowed, "the device is installing (State 3)") }
        if empty {
            reset(to: .initial)
            return .reset
        }
        switch state {
        case .idle: return nil
        case .downloading: return .refused(.methodNotAllowed, "a download is under way (State 1)")
        case .downloaded, .updating: return .refused(.badRequest, "a package is held (State \(state.rawValue)); \(how)")
        }
    }

    /// A write of Package with `bytes` (push delivery): empty or a single NUL byte resets (LwM2M 1.1 Core §E.6);
    /// otherwise taken in Idle only (Downloading and Updating 4.05, Downloaded 4.00).
    mutating func writePackage(_ bytes: [UInt8], fault: FirmwareFault?) -> WriteDecision {
        if let decision = admit(empty: bytes.isEmpty || bytes == [0], reset: "reset it with an empty Package first") {
            return decision
        }
        abandon()
        if fault == .noFlash {
            result = .notEnoughFlash
            return .failed(result)
        }
        state = .downloading
        result = .initial
        downloads += 1
        return .push(bytes, generation: generation)
    }

    /// The whole package of download `generation` arrived: Downloaded, or with the `integrity` fault Idle and Update
    /// Result 5. Returns false when the download was abandoned meanwhile.
    mutating func downloaded(_ received: FirmwarePackage, generation: Int, fault: FirmwareFault?) -> Bool {
        guard generation == self.generation, state == .downloading else { return false }
        work = nil
        if fault == .integrity {
            state = .idle
            result = .integrityFailure
            return true
        }
        package = received
        state = .downloaded
        result = .initial
        return true
    }

    /// Download `generation` failed with `failure`: Idle. Returns false when it was abandoned meanwhile.
    mutating func downloadFailed(_ failure: Result, generation: Int) -> Bool {
        guard generation == self.generation, state == .downloading else { return false }
        work = nil
        state = .idle
        result = failure
        return true
    }

    /// Execute Update (`/5/0/2`): only in Downloaded (LwM2M 1.1 Core §E.6: "only executable when the value of the
    /// State Resource is Downloaded"); otherwise 4.05 Method Not Allowed, as Anjay and Zephyr answer. Returns the
    /// install's generation, or the refusal.
    mutating func executeUpdate() -> Swift.Result<Int, RefusedExecute> {
        guard state == .downloaded, package != nil else {
            return .failure(RefusedExecute(message: "Update needs State 2 (Downloaded); the State is \(state.rawValue)"))
        }
        generation += 1
        state = .updating
        result = .initial
        return .success(generation)
    }

    /// The install of `generation` ended: with `update-failed` back to Downloaded with Update Result 8 (the package
    /// kept), otherwise Idle with Update Result 1 and the package to boot. `nil` when it was abandoned.
    mutating func installed(generation: Int, fault: FirmwareFault?) -> InstallEnd? {
        guard generation == self.generation, state == .updating, let package else { return nil }
        work = nil
        if fault == .updateFailed {
            state = .downloaded
            result = .updateFailed
            return .failed
        }
        self.package = nil
        state = .idle
        result = .success
        return .reboot(package)
    }

    /// Cancel (`/5/0/10`, LwM2M 1.1): abandons a download or a held package, Idle with Update Result 10; in Idle
    /// (nothing to cancel) and Updating (too late) 4.05.
    mutating func cancel() -> RefusedExecute? {
        switch state {
        case .downloading, .downloaded:
            reset(to: .cancelled)
            return nil
        case .idle, .updating:
            return RefusedExecute(message: "nothing to cancel in State \(state.rawValue)")
        }
    }

    /// Idle with `result`, the package dropped, background work abandoned.
    private mutating func reset(to result: Result) {
        abandon()
        package = nil
        state = .idle
        self.result = result
    }

    /// Moves the generation on and cancels the current work.
    private mutating func abandon() {
        generation += 1
        work?.cancel()
        work = nil
    }
}

/// An Execute the firmware state machine refuses: 4.05 with this diagnostic.
struct RefusedExecute: Error, Sendable {
    let message: String
}
