import Foundation
import Testing

@testable import FirmwareOTA

@Suite("FirmwareUpdate transitions")
struct FirmwareUpdateTransitionTests {
    @Test("a new update is scheduled with nothing sent")
    func scheduled() {
        let harness = UpdateHarness()
        #expect(harness.update.state == .scheduled)
        #expect(harness.update.attempts == 0)
        #expect(harness.update.history.isEmpty)
        #expect(harness.update.deadline == nil && harness.update.nextTickDue == nil)
    }

    @Test("start of a pull observes /5/0/3 and /5/0/5, then writes the package URI")
    func startPull() {
        var harness = UpdateHarness(method: .httpPull)
        let actions = harness.send(.start)
        #expect(actions == [.observe([.state, .updateResult]), .writePackageURI])
        #expect(harness.update.state == .delivering)
        #expect(harness.update.attempts == 1)
        #expect(harness.update.deadline == harness.clock.now.addingTimeInterval(600))
        #expect(harness.update.history.map(\.note) == ["delivery started (http-pull)"])
    }

    @Test("start of a push observes, then pushes from byte 0")
    func startPush() {
        var harness = UpdateHarness(method: .push)
        #expect(harness.send(.start) == [.observe([.state, .updateResult]), .pushPackage(resumeAt: 0)])
    }

    @Test("start is ignored once the update runs")
    func startTwice() {
        var harness = UpdateHarness()
        harness.send(.start)
        let before = harness.update
        #expect(harness.send(.start).isEmpty)
        #expect(harness.update == before)
    }

    @Test("a complete pull update goes through every phase to succeeded")
    func fullPull() {
        var harness = UpdateHarness(method: .coapPull)
        harness.send(.start)
        harness.advance(1)
        #expect(harness.send(.requestSucceeded(.writePackageURI)).isEmpty)
        #expect(harness.update.deliveryAcknowledged)
        harness.advance(1)
        #expect(harness.send(.deviceState(1)).isEmpty)
        #expect(harness.update.state == .delivering)
        #expect(harness.update.deviceState == 1)
        harness.send(.deliveryProgress(bytes: 5_000))
        #expect(harness.update.bytesDelivered == 5_000)
        harness.advance(30)
        #expect(harness.send(.deviceState(2)) == [.executeUpdate])
        #expect(harness.update.state == .downloaded)
        #expect(harness.update.deadline == harness.clock.now.addingTimeInterval(60))
        harness.advance(1)
        #expect(harness.send(.requestSucceeded(.executeUpdate)).isEmpty)
        #expect(harness.update.state == .updating)
        #expect(harness.update.deadline == harness.clock.now.addingTimeInterval(600))
        harness.advance(40)
        #expect(harness.send(.updateResult(1)) == [.read([.firmwareVersion, .packageVersion])])
        #expect(harness.update.state == .verifying)
        #expect(harness.update.deadline == harness.clock.now.addingTimeInterval(300))
        harness.advance(2)
        let actions = harness.send(.deviceCameBack(firmwareVersion: "2.0.0", packageVersion: nil))
        #expect(actions == [.cancelObservation([.state, .updateResult])])
        #expect(harness.update.state == .succeeded)
        #expect(harness.update.versionAfter == "2.0.0")
        #expect(harness.update.versionBefore == "1.0.0")
        #expect(harness.update.deadline == nil && harness.update.nextTickDue == nil)
        #expect(harness.update.lastError == nil)
        let path = harness.update.history.map { "\($0.from.rawValue)>\($0.to.rawValue)" }
        #expect(path == ["scheduled>delivering", "delivering>downloaded", "downloaded>updating",
                         "updating>verifying", "verifying>succeeded"])
        #expect(harness.update.updatedAt == harness.clock.now)
        #expect(harness.update.history.last?.at == harness.clock.now)
    }

    @Test("Updating (3) reported in downloaded moves to updating before the execute is answered")
    func updatingBeforeExecuteAnswer() {
        var harness = UpdateHarness(method: .push)
        harness.drive(to: .downloaded)
        #expect(harness.send(.deviceState(3)).isEmpty)
        #expect(harness.update.state == .updating)
        #expect(harness.send(.requestSucceeded(.executeUpdate)).isEmpty)
        #expect(harness.update.history.count == 3)
    }

    @Test("push: the last block sets bytesDelivered to the package size")
    func pushCompleteSetsBytes() {
        var harness = UpdateHarness(method: .push, totalBytes: 8_192)
        harness.send(.start)
        harness.send(.deliveryProgress(bytes: 4_096))
        harness.send(.requestSucceeded(.pushPackage(resumeAt: 0)))
        #expect(harness.update.bytesDelivered == 8_192)
        #expect(harness.send(.deviceState(2)) == [.executeUpdate])
    }

    @Test("Idle (0) in updating without a result asks for /5/0/5; result 1 then moves to verifying")
    func idleWithoutResult() {
        var harness = UpdateHarness()
        harness.drive(to: .updating)
        #expect(harness.send(.deviceState(0)) == [.read([.updateResult])])
        #expect(harness.update.state == .updating)
        #expect(harness.send(.updateResult(1)) == [.read([.firmwareVersion, .packageVersion])])
        #expect(harness.update.state == .verifying)
    }

    @Test("Idle (0) in updating after update result 1 was seen moves to verifying")
    func idleAfterSuccessResult() {
        var harness = UpdateHarness()
        harness.drive(to: .downloaded)
        #expect(harness.send(.updateResult(1)).isEmpty)
        #expect(harness.update.state == .downloaded)
        harness.send(.deviceState(3))
        #expect(harness.send(.deviceState(0)) == [.read([.firmwareVersion, .packageVersion])])
        #expect(harness.update.state == .verifying)
        #expect(harness.update.history.last?.note == "device is idle with update result 1")
    }

    @Test("Downloaded back from updating asks for the result, and a failure result ends it")
    func failureBackToDownloaded() {
        var harness = UpdateHarness()
        harness.drive(to: .updating)
        #expect(harness.send(.deviceState(2)) == [.read([.updateResult])])
        #expect(harness.update.state == .updating)
        #expect(harness.send(.updateResult(8)) == [.cancelObservation([.state, .updateResult])])
        #expect(harness.update.state == .failed)
        #expect(harness.update.lastError == "firmware update failed (update result 8)")
        #expect(harness.update.attempts == 1)
    }

    @Test("every state change appends exactly one transition and moves updatedAt")
    func oneTransitionPerChange() {
        var harness = UpdateHarness()
        var count = 0
        let events: [FirmwareUpdateEvent] = [.start, .requestSucceeded(.writePackageURI), .deviceState(1),
                                             .deviceState(2), .requestSucceeded(.executeUpdate),
                                             .updateResult(1),
                                             .deviceCameBack(firmwareVersion: "2.0.0", packageVersion: nil)]
        for event in events {
            harness.advance(5)
            let before = harness.update.state
            harness.send(event)
            if harness.update.state != before {
                count += 1
                #expect(harness.update.updatedAt == harness.clock.now)
                #expect(harness.update.history.last?.from == before)
                #expect(harness.update.history.last?.to == harness.update.state)
                #expect(harness.update.history.last?.note.isEmpty == false)
            }
            #expect(harness.update.history.count == count)
        }
        #expect(count == 5)
    }

    @Test("events in a final state are ignored")
    func finalIgnoresEvents() {
        var harness = UpdateHarness()
        harness.drive(to: .verifying)
        harness.send(.deviceCameBack(firmwareVersion: "2.0.0", packageVersion: nil))
        let done = harness.update
        harness.advance(10_000)
        let events: [FirmwareUpdateEvent] = [.start, .cancel, .tick, .deviceState(3), .updateResult(8),
                                             .deliveryProgress(bytes: 1), .requestSucceeded(.executeUpdate),
                                             .requestFailed(.writePackageURI, reason: "4.00"),
                                             .deviceCameBack(firmwareVersion: "3.0.0", packageVersion: nil)]
        for event in events {
            #expect(harness.send(event).isEmpty)
        }
        #expect(harness.update == done)
    }

    @Test("device coming back while delivering re-observes and re-reads without a state change")
    func cameBackWhileDelivering() {
        var harness = UpdateHarness()
        harness.drive(to: .delivering)
        let actions = harness.send(.deviceCameBack(firmwareVersion: "1.0.0", packageVersion: nil))
        #expect(actions == [.observe([.state, .updateResult]), .read([.state, .updateResult])])
        #expect(harness.update.state == .delivering)
    }

    @Test("device coming back while scheduled changes nothing")
    func cameBackWhileScheduled() {
        var harness = UpdateHarness()
        #expect(harness.send(.deviceCameBack(firmwareVersion: "1.0.0", packageVersion: nil)).isEmpty)
        #expect(harness.update.state == .scheduled)
    }
}

@Suite("FirmwareUpdate verification")
struct FirmwareUpdateVerificationTests {
    @Test("update result 1 alone does not succeed: the version must be checked")
    func resultOneIsNotSuccess() {
        var harness = UpdateHarness()
        harness.drive(to: .verifying)
        #expect(harness.update.state == .verifying)
        #expect(harness.update.versionAfter == nil)
    }

    @Test("the device coming back in updating with the target version succeeds in one event")
    func cameBackWithTarget() {
        var harness = UpdateHarness()
        harness.drive(to: .updating)
        let actions = harness.send(.deviceCameBack(firmwareVersion: "2.0.0", packageVersion: "2.0.0"))
        #expect(actions == [.cancelObservation([.state, .updateResult])])
        #expect(harness.update.state == .succeeded)
        #expect(harness.update.history.suffix(2).map(\.to) == [.verifying, .succeeded])
    }

    @Test("the device coming back without versions is asked for them")
    func cameBackWithoutVersions() {
        var harness = UpdateHarness()
        harness.drive(to: .updating)
        let actions = harness.send(.deviceCameBack(firmwareVersion: nil, packageVersion: nil))
        #expect(actions == [.read([.firmwareVersion, .packageVersion])])
        #expect(harness.update.state == .verifying)
        #expect(harness.send(.deviceCameBack(firmwareVersion: nil, packageVersion: " 2.0.0\n")).count == 1)
        #expect(harness.update.state == .succeeded)
        #expect(harness.update.versionAfter == "2.0.0")
    }

    @Test("a matching PkgVersion succeeds even when /3/0/3 differs")
    func packageVersionMatches() {
        var harness = UpdateHarness()
        harness.drive(to: .verifying)
        harness.send(.deviceCameBack(firmwareVersion: "build-77", packageVersion: "2.0.0"))
        #expect(harness.update.state == .succeeded)
        #expect(harness.update.versionAfter == "2.0.0")
    }

    @Test("the device coming back with another version fails and is not retried")
    func cameBackWithOtherVersion() {
        var harness = UpdateHarness(maxAttempts: 5)
        harness.drive(to: .verifying)
        let actions = harness.send(.deviceCameBack(firmwareVersion: "1.0.0", packageVersion: nil))
        #expect(actions == [.cancelObservation([.state, .updateResult])])
        #expect(harness.update.state == .failed)
        #expect(harness.update.lastError == "device came back with version 1.0.0, expected 2.0.0")
        #expect(harness.update.versionAfter == "1.0.0")
        #expect(harness.update.attempts == 1)
    }

    @Test("the device coming back with empty versions fails")
    func cameBackEmpty() {
        var harness = UpdateHarness()
        harness.drive(to: .verifying)
        harness.send(.deviceCameBack(firmwareVersion: "", packageVersion: " "))
        #expect(harness.update.state == .failed)
        #expect(harness.update.lastError == "device came back without a version in /3/0/3 or /5/0/7, expected 2.0.0")
    }
}

@Suite("FirmwareUpdate impossible transitions")
struct FirmwareUpdateImpossibleTests {
    @Test("Updating (3) while scheduled fails without device requests")
    func updatingWhileScheduled() {
        var harness = UpdateHarness()
        #expect(harness.send(.deviceState(3)).isEmpty)
        #expect(harness.update.state == .failed)
        #expect(harness.update.lastError == "impossible transition: device reported state 3 while scheduled")
    }

    @Test("impossible device states in running phases fail and stop observing", arguments: [
        (FirmwareUpdateState.delivering, 3), (.delivering, 7), (.downloaded, 1), (.updating, 1),
        (.verifying, 1), (.updating, -1),
    ])
    func impossibleInPhase(phase: FirmwareUpdateState, value: Int) {
        var harness = UpdateHarness(maxAttempts: 3)
        harness.drive(to: phase)
        #expect(harness.update.state == phase)
        // Past the window in which an earlier State is taken for a late report.
        harness.advance(FirmwareUpdate.lateReportWindow)
        #expect(harness.send(.deviceState(value)) == [.cancelObservation([.state, .updateResult])])
        #expect(harness.update.state == .failed)
        #expect(harness.update.lastError
            == "impossible transition: device reported state \(value) while \(phase.rawValue)")
        #expect(harness.update.deviceState == value)
        #expect(harness.update.attempts == 1)
    }

    @Test("while verifying, a late Updating (3) is only recorded and Downloaded (2) fetches the result")
    func lateReportsWhileVerifying() {
        var harness = UpdateHarness(maxAttempts: 3)
        harness.drive(to: .verifying)
        #expect(harness.send(.deviceState(3)).isEmpty)
        #expect(harness.update.state == .verifying)
        #expect(harness.update.deviceState == 3)
        #expect(harness.send(.deviceState(2)) == [.read([.updateResult])])
        #expect(harness.update.state == .verifying)
        #expect(harness.send(.updateResult(8)) == [.cancelObservation([.state, .updateResult])])
        #expect(harness.update.state == .failed)
    }

    @Test("an earlier State just after a phase change is a late report, only recorded",
          arguments: [FirmwareUpdateState.downloaded, .updating, .verifying])
    func lateEarlierState(phase: FirmwareUpdateState) {
        var harness = UpdateHarness(maxAttempts: 3)
        harness.drive(to: phase)
        harness.advance(FirmwareUpdate.lateReportWindow - 1)
        #expect(harness.send(.deviceState(1)).isEmpty)
        #expect(harness.update.state == phase)
    }
}
