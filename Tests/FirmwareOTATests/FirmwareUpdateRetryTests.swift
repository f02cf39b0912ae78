import Foundation
import Testing

@testable import FirmwareOTA

@Suite("FirmwareUpdate retries with resumption")
struct FirmwareUpdateRetryTests {
    @Test("a push that lost its connection resumes at bytesDelivered")
    func pushResumes() {
        var harness = UpdateHarness(method: .push, totalBytes: 100_000, maxAttempts: 3)
        harness.send(.start)
        harness.send(.deliveryProgress(bytes: 32_768))
        harness.send(.deviceState(1))
        harness.advance(10)
        let actions = harness.send(.updateResult(4))
        #expect(actions == [.pushPackage(resumeAt: 32_768)])
        #expect(harness.update.state == .delivering)
        #expect(harness.update.attempts == 2)
        #expect(harness.update.bytesDelivered == 32_768)
        #expect(harness.update.deliveryAcknowledged == false)
        #expect(harness.update.deadline == harness.clock.now.addingTimeInterval(600))
        #expect(harness.update.history.last?.note
            == "retry 2 of 3 after: connection lost during the download (update result 4); resuming at byte 32768")
        #expect(harness.update.history.last?.from == .delivering)
    }

    @Test("an interrupted block-wise transfer resumes at bytesDelivered")
    func interruptedTransferResumes() {
        var harness = UpdateHarness(method: .push, totalBytes: 100_000)
        harness.send(.start)
        harness.send(.deliveryProgress(bytes: 50_176))
        let actions = harness.send(.requestFailed(.pushPackage(resumeAt: 0), reason: "timeout", transient: true))
        #expect(actions == [.pushPackage(resumeAt: 50_176)])
        #expect(harness.update.lastError == "package transfer interrupted at byte 50176 (timeout)")
    }

    @Test("attempts are bounded by maxAttempts")
    func attemptsBounded() {
        var harness = UpdateHarness(method: .push, maxAttempts: 3)
        harness.send(.start)
        for attempt in 2...3 {
            harness.send(.deliveryProgress(bytes: Int64(attempt) * 1_000))
            #expect(harness.send(.updateResult(4)) == [.pushPackage(resumeAt: Int64(attempt) * 1_000)])
            #expect(harness.update.attempts == attempt)
        }
        harness.send(.deliveryProgress(bytes: 4_000))
        #expect(harness.send(.updateResult(4)) == [.cancelObservation([.state, .updateResult])])
        #expect(harness.update.state == .failed)
        #expect(harness.update.attempts == 3)
        #expect(harness.update.lastError == "connection lost during the download (update result 4)")
    }

    @Test("a non-retryable result does not retry even with attempts left", arguments: [2, 3, 5, 6, 7, 8, 9, 11])
    func nonRetryable(code: Int) {
        var harness = UpdateHarness(method: .push, maxAttempts: 5)
        harness.drive(to: .delivering)
        harness.send(.updateResult(code))
        #expect(harness.update.state == .failed)
        #expect(harness.update.attempts == 1)
    }

    @Test("a pull retry resets a device that is not known to be idle, then writes the URI again")
    func pullRetryResets() {
        var harness = UpdateHarness(method: .coapPull, maxAttempts: 2)
        harness.drive(to: .delivering)
        harness.send(.deliveryProgress(bytes: 4_000))
        harness.advance(600)
        let actions = harness.send(.tick)
        #expect(actions == [.writeEmptyPackageURI, .writePackageURI])
        #expect(harness.update.bytesDelivered == 0)
        #expect(harness.update.attempts == 2)
    }

    @Test("a pull retry from an idle device only writes the URI again")
    func pullRetryFromIdle() {
        var harness = UpdateHarness(method: .httpPull)
        harness.drive(to: .delivering)
        harness.send(.deviceState(0))
        #expect(harness.send(.updateResult(4)) == [.writePackageURI])
    }

    @Test("leftover results of the failed attempt are ignored after a retry")
    func retryIgnoresOldResult() {
        var harness = UpdateHarness(method: .push)
        harness.drive(to: .delivering)
        harness.send(.updateResult(4))
        #expect(harness.update.attempts == 2)
        #expect(harness.send(.updateResult(4)).isEmpty)
        #expect(harness.update.attempts == 2)
        #expect(harness.update.state == .delivering)
    }

    @Test("a retry after the execute timed out resets the device and delivers from the start")
    func retryFromDownloaded() {
        var harness = UpdateHarness(method: .push, totalBytes: 9_000)
        harness.drive(to: .downloaded)
        #expect(harness.update.bytesDelivered == 9_000)
        harness.advance(60)
        let actions = harness.send(.tick)
        #expect(actions == [.writeEmptyPackageURI, .pushPackage(resumeAt: 0)])
        #expect(harness.update.state == .delivering)
        #expect(harness.update.bytesDelivered == 0)
        #expect(harness.update.history.last?.from == .downloaded)
    }
}

@Suite("FirmwareUpdate timeouts")
struct FirmwareUpdateTimeoutTests {
    static let timeouts = FirmwareUpdateTimeouts(
        delivering: 100, downloaded: 20, updating: 300, verifying: 50, fallbackReadAfter: 1_000)

    @Test("the defaults are 10 min, 1 min, 10 min, 5 min and a read after 60 s")
    func defaults() {
        let timeouts = FirmwareUpdateTimeouts()
        let phases = [timeouts.delivering, timeouts.downloaded, timeouts.updating, timeouts.verifying]
        #expect(phases == [600, 60, 600, 300])
        #expect(timeouts.fallbackReadAfter == 60)
        #expect(timeouts.timeout(for: .scheduled) == nil && timeouts.timeout(for: .failed) == nil)
    }

    @Test("each phase times out after its own duration and fails when no attempt is left", arguments: [
        (FirmwareUpdateState.delivering, 100.0), (.downloaded, 20), (.updating, 300), (.verifying, 50),
    ])
    func phaseTimeout(phase: FirmwareUpdateState, seconds: TimeInterval) {
        var harness = UpdateHarness(maxAttempts: 1, timeouts: Self.timeouts)
        harness.drive(to: phase)
        harness.advance(seconds - 1)
        #expect(harness.send(.tick).isEmpty)
        #expect(harness.update.state == phase)
        harness.advance(1)
        #expect(harness.send(.tick) == [.cancelObservation([.state, .updateResult])])
        #expect(harness.update.state == .failed)
        #expect(harness.update.lastError == "timed out in \(phase.rawValue) after \(Int(seconds)) s")
    }

    @Test("delivering and downloaded timeouts are retried while attempts remain", arguments: [
        FirmwareUpdateState.delivering, .downloaded,
    ])
    func retryableTimeout(phase: FirmwareUpdateState) {
        var harness = UpdateHarness(maxAttempts: 2, timeouts: Self.timeouts)
        harness.drive(to: phase)
        harness.advance(100)
        #expect(!harness.send(.tick).isEmpty)
        #expect(harness.update.state == .delivering)
        #expect(harness.update.attempts == 2)
        #expect(harness.update.deadline == harness.clock.now.addingTimeInterval(100))
    }

    @Test("updating and verifying timeouts are not retried: the device may be installing", arguments: [
        FirmwareUpdateState.updating, .verifying,
    ])
    func nonRetryableTimeout(phase: FirmwareUpdateState) {
        var harness = UpdateHarness(maxAttempts: 5, timeouts: Self.timeouts)
        harness.drive(to: phase)
        harness.advance(300)
        harness.send(.tick)
        #expect(harness.update.state == .failed)
        #expect(harness.update.attempts == 1)
    }

    @Test("a scheduled update never times out")
    func scheduledNoTimeout() {
        var harness = UpdateHarness(timeouts: Self.timeouts)
        harness.advance(1_000_000)
        #expect(harness.send(.tick).isEmpty)
        #expect(harness.update.state == .scheduled)
    }

    @Test("entering a phase restarts the deadline")
    func deadlinePerPhase() {
        var harness = UpdateHarness(maxAttempts: 1, timeouts: Self.timeouts)
        harness.drive(to: .delivering)
        harness.advance(90)
        harness.send(.deviceState(2))
        harness.advance(15)
        #expect(harness.send(.tick).isEmpty)
        #expect(harness.update.state == .downloaded)
        harness.advance(5)
        harness.send(.tick)
        #expect(harness.update.lastError == "timed out in downloaded after 20 s")
    }
}

@Suite("FirmwareUpdate fallback reads")
struct FirmwareUpdateFallbackReadTests {
    @Test("an overdue /5/0/3 change is read once per fallback period")
    func readOncePerPeriod() {
        var harness = UpdateHarness()
        harness.send(.start)
        harness.advance(59)
        #expect(harness.send(.tick).isEmpty)
        harness.advance(1)
        #expect(harness.send(.tick) == [.read([.state, .updateResult])])
        harness.advance(30)
        #expect(harness.send(.tick).isEmpty)
        harness.advance(29)
        #expect(harness.send(.tick).isEmpty)
        harness.advance(1)
        #expect(harness.send(.tick) == [.read([.state, .updateResult])])
    }

    @Test("a notification postpones the fallback read")
    func notificationPostpones() {
        var harness = UpdateHarness()
        harness.send(.start)
        harness.advance(50)
        harness.send(.deviceState(1))
        harness.advance(50)
        #expect(harness.send(.tick).isEmpty)
        harness.advance(10)
        #expect(harness.send(.tick) == [.read([.state, .updateResult])])
    }

    @Test("delivery progress postpones the fallback read")
    func progressPostpones() {
        var harness = UpdateHarness(method: .push)
        harness.send(.start)
        harness.advance(45)
        harness.send(.deliveryProgress(bytes: 1_024))
        harness.advance(45)
        #expect(harness.send(.tick).isEmpty)
        #expect(harness.update.nextTickDue == harness.clock.now.addingTimeInterval(15))
    }

    @Test("fallback reads in every waiting phase read /5/0/3 and /5/0/5", arguments: [
        FirmwareUpdateState.delivering, .downloaded, .updating,
    ])
    func readsProgress(phase: FirmwareUpdateState) {
        let timeouts = FirmwareUpdateTimeouts(delivering: 900, downloaded: 900, updating: 900)
        var harness = UpdateHarness(timeouts: timeouts)
        harness.drive(to: phase)
        harness.advance(60)
        #expect(harness.send(.tick) == [.read([.state, .updateResult])])
    }

    @Test("in verifying the fallback read asks for /3/0/3 and /5/0/7")
    func verifyingReadsVersions() {
        var harness = UpdateHarness()
        harness.drive(to: .verifying)
        harness.advance(60)
        #expect(harness.send(.tick) == [.read([.firmwareVersion, .packageVersion])])
    }

    @Test("a deadline wins over a due fallback read")
    func deadlineFirst() {
        let timeouts = FirmwareUpdateTimeouts(delivering: 60, fallbackReadAfter: 60)
        var harness = UpdateHarness(maxAttempts: 1, timeouts: timeouts)
        harness.send(.start)
        harness.advance(60)
        #expect(harness.send(.tick) == [.cancelObservation([.state, .updateResult])])
        #expect(harness.update.state == .failed)
    }
}
