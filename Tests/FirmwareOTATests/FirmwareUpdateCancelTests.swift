import Foundation
import Testing

@testable import FirmwareOTA

@Suite("FirmwareUpdate cancel")
struct FirmwareUpdateCancelTests {
    @Test("cancelling a scheduled update sends nothing")
    func cancelScheduled() {
        var harness = UpdateHarness()
        #expect(harness.send(.cancel).isEmpty)
        #expect(harness.update.state == .cancelled)
        #expect(harness.update.cancelRequested)
        #expect(harness.update.history.map(\.to) == [.cancelled])
    }

    @Test("cancelling while the package is delivered or downloaded resets the device", arguments: [
        FirmwareUpdateState.delivering, .downloaded,
    ], [false, true])
    func cancelDelivery(phase: FirmwareUpdateState, cancelResource: Bool) {
        var harness = UpdateHarness(supportsCancelResource: cancelResource)
        harness.drive(to: phase)
        let actions = harness.send(.cancel)
        let reset: FirmwareUpdateAction = cancelResource ? .executeCancel : .writeEmptyPackageURI
        #expect(actions == [reset, .cancelObservation([.state, .updateResult])])
        #expect(harness.update.state == .cancelled)
        #expect(harness.update.deadline == nil && harness.update.nextReadAt == nil)
        #expect(harness.update.history.last?.from == phase)
    }

    @Test("cancelling while the device installs is recorded; a failure then ends cancelled, not retried", arguments: [
        FirmwareUpdateState.updating, .verifying,
    ])
    func cancelWhileInstalling(phase: FirmwareUpdateState) {
        var harness = UpdateHarness(maxAttempts: 5, supportsCancelResource: true)
        harness.drive(to: phase)
        #expect(harness.send(.cancel).isEmpty)
        #expect(harness.update.state == phase)
        #expect(harness.update.cancelRequested)
        #expect(harness.update.history.last?.from == phase && harness.update.history.last?.to == phase)
        #expect(harness.send(.cancel).isEmpty)
        let count = harness.update.history.count
        #expect(harness.send(.updateResult(8)) == [.cancelObservation([.state, .updateResult])])
        #expect(harness.update.state == .cancelled)
        #expect(harness.update.lastError == "firmware update failed (update result 8)")
        #expect(harness.update.history.count == count + 1)
    }

    @Test("a cancel requested while installing does not turn a success into a cancel")
    func cancelThenSuccess() {
        var harness = UpdateHarness()
        harness.drive(to: .updating)
        harness.send(.cancel)
        harness.send(.deviceCameBack(firmwareVersion: "2.0.0", packageVersion: nil))
        #expect(harness.update.state == .succeeded)
    }

    @Test("a timeout after a cancel request ends cancelled even when retryable")
    func cancelThenTimeout() {
        var harness = UpdateHarness(maxAttempts: 3)
        harness.drive(to: .updating)
        harness.send(.cancel)
        harness.advance(600)
        harness.send(.tick)
        #expect(harness.update.state == .cancelled)
        #expect(harness.update.lastError == "timed out in updating after 600 s")
    }

    @Test("cancelling a final update changes nothing", arguments: [
        FirmwareUpdateState.succeeded, .failed, .cancelled,
    ])
    func cancelFinal(final: FirmwareUpdateState) {
        var harness = UpdateHarness()
        harness.drive(to: .verifying)
        switch final {
        case .succeeded: harness.send(.deviceCameBack(firmwareVersion: "2.0.0", packageVersion: nil))
        case .failed: harness.send(.updateResult(8))
        default: harness.send(.updateResult(10))
        }
        #expect(harness.update.state == final)
        let before = harness.update
        harness.advance(1)
        #expect(harness.send(.cancel).isEmpty)
        #expect(harness.update == before)
    }
}

@Suite("FirmwareUpdate storage and restart")
struct FirmwareUpdateRestartTests {
    static func roundTrip(_ update: FirmwareUpdate) throws -> FirmwareUpdate {
        let data = try JSONEncoder().encode(update)
        return try JSONDecoder().decode(FirmwareUpdate.self, from: data)
    }

    @Test("a stored push in delivering decodes equal and resumes at bytesDelivered")
    func pushResumesAfterRestart() throws {
        var harness = UpdateHarness(method: .push, totalBytes: 64_000)
        harness.send(.start)
        harness.send(.deliveryProgress(bytes: 21_504))
        var restored = try Self.roundTrip(harness.update)
        #expect(restored == harness.update)
        harness.advance(5)
        let actions = restored.resumeActions(at: harness.clock.now)
        #expect(actions == [.observe([.state, .updateResult]), .read([.state, .updateResult]),
                            .pushPackage(resumeAt: 21_504)])
        _ = restored.handle(.deliveryProgress(bytes: 64_000), at: harness.clock.now)
        #expect(restored.handle(.deviceState(2), at: harness.clock.now) == [.executeUpdate])
        #expect(restored.state == .downloaded)
    }

    @Test("a pull in delivering re-observes and re-reads without writing the URI again")
    func pullResume() throws {
        var harness = UpdateHarness(method: .coapPull)
        harness.drive(to: .delivering)
        let restored = try Self.roundTrip(harness.update)
        #expect(restored.resumeActions(at: harness.clock.now)
            == [.observe([.state, .updateResult]), .read([.state, .updateResult])])
    }

    @Test("a push whose whole image was delivered is not pushed again")
    func completePushResume() throws {
        var harness = UpdateHarness(method: .push, totalBytes: 1_000)
        harness.send(.start)
        harness.send(.requestSucceeded(.pushPackage(resumeAt: 0)))
        let restored = try Self.roundTrip(harness.update)
        #expect(!restored.resumeActions(at: harness.clock.now).contains(.pushPackage(resumeAt: 1_000)))
    }

    @Test("resume actions per phase", arguments: [
        FirmwareUpdateState.downloaded, .updating, .verifying,
    ])
    func resumePerPhase(phase: FirmwareUpdateState) throws {
        var harness = UpdateHarness()
        harness.drive(to: phase)
        let restored = try Self.roundTrip(harness.update)
        let expected: [FirmwareUpdateAction] = phase == .verifying
            ? [.read([.firmwareVersion, .packageVersion])]
            : [.observe([.state, .updateResult]), .read([.state, .updateResult])]
        #expect(restored.resumeActions(at: harness.clock.now) == expected)
    }

    @Test("scheduled and final updates have nothing to resume")
    func nothingToResume() throws {
        var harness = UpdateHarness()
        #expect(harness.update.resumeActions(at: harness.clock.now).isEmpty)
        harness.drive(to: .verifying)
        harness.send(.deviceCameBack(firmwareVersion: "2.0.0", packageVersion: nil))
        let restored = try Self.roundTrip(harness.update)
        #expect(restored.resumeActions(at: harness.clock.now).isEmpty)
        #expect(restored.history.count == 5)
    }

    @Test("after a restart past the deadline, resume sends nothing and the next tick decides")
    func deadlinePassedDuringRestart() throws {
        var harness = UpdateHarness(method: .push, maxAttempts: 2)
        harness.send(.start)
        harness.send(.deliveryProgress(bytes: 2_048))
        var restored = try Self.roundTrip(harness.update)
        harness.advance(601)
        #expect(restored.resumeActions(at: harness.clock.now).isEmpty)
        #expect(restored.handle(.tick, at: harness.clock.now) == [.pushPackage(resumeAt: 2_048)])
        #expect(restored.attempts == 2)
    }
}
