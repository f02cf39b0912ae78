import Foundation

@testable import FirmwareOTA

/// A hand-driven clock: a plain `Date` the tests advance explicitly.
struct TestClock {
    /// The current instant.
    private(set) var now = Date(timeIntervalSince1970: 1_700_000_000)

    /// Moves the clock forward by `seconds`.
    mutating func advance(_ seconds: TimeInterval) {
        now = now.addingTimeInterval(seconds)
    }
}

/// One firmware update with its clock, and shortcuts that drive it into a phase the canonical way.
struct UpdateHarness {
    /// The clock events are handled at.
    var clock = TestClock()
    /// The update under test.
    var update: FirmwareUpdate

    /// The target version of every harness update.
    static let target = "2.0.0"

    /// A scheduled update from 1.0.0 to `target`.
    init(
        method: FirmwareDeliveryMethod = .coapPull, totalBytes: Int64 = 10_000, maxAttempts: Int = 3,
        supportsCancelResource: Bool = false, timeouts: FirmwareUpdateTimeouts = FirmwareUpdateTimeouts()
    ) {
        update = FirmwareUpdate(
            id: 7, endpoint: "dev-1", firmwareID: 3, targetVersion: Self.target, method: method,
            totalBytes: totalBytes, versionBefore: "1.0.0", maxAttempts: maxAttempts, timeouts: timeouts,
            supportsCancelResource: supportsCancelResource, at: clock.now)
    }

    /// Handles `event` at the clock's instant.
    @discardableResult
    mutating func send(_ event: FirmwareUpdateEvent) -> [FirmwareUpdateAction] {
        update.handle(event, at: clock.now)
    }

    /// Moves the clock forward.
    mutating func advance(_ seconds: TimeInterval) {
        clock.advance(seconds)
    }

    /// Drives a scheduled update into `phase` with the events a well-behaved device produces.
    mutating func drive(to phase: FirmwareUpdateState) {
        let order: [FirmwareUpdateState] = [.delivering, .downloaded, .updating, .verifying]
        for step in order {
            switch step {
            case .delivering:
                send(.start)
                send(.requestSucceeded(update.method == .push ? .pushPackage(resumeAt: 0) : .writePackageURI))
                send(.deviceState(1))
            case .downloaded:
                send(.deviceState(2))
            case .updating:
                send(.requestSucceeded(.executeUpdate))
                send(.deviceState(3))
            default:
                send(.updateResult(1))
            }
            if step == phase { return }
        }
    }
}
