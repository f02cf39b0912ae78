import Foundation
import Testing

@testable import FirmwareOTA

@Suite("FirmwareUpdate and Update Result codes")
struct FirmwareUpdateResultCodeTests {
    @Test("non-retryable failure results fail the update at once, in every running phase", arguments: [
        2, 3, 5, 6, 7, 8, 9, 11, 42,
    ], [FirmwareUpdateState.delivering, .downloaded, .updating, .verifying])
    func failureResult(code: Int, phase: FirmwareUpdateState) {
        var harness = UpdateHarness(maxAttempts: 3)
        harness.drive(to: phase)
        let actions = harness.send(.updateResult(code))
        #expect(actions == [.cancelObservation([.state, .updateResult])])
        #expect(harness.update.state == .failed)
        #expect(harness.update.resultCode == code)
        #expect(harness.update.attempts == 1)
        #expect(harness.update.lastError == "\(FirmwareResult(code: code).reason) (update result \(code))")
        #expect(harness.update.history.last?.from == phase)
    }

    @Test("an unknown result names its code")
    func unknownResult() {
        var harness = UpdateHarness()
        harness.drive(to: .updating)
        harness.send(.updateResult(42))
        #expect(harness.update.lastError == "unknown update result 42 (update result 42)")
    }

    @Test("result 10 ends the update cancelled", arguments: [
        FirmwareUpdateState.delivering, .downloaded, .updating, .verifying,
    ])
    func cancelledResult(phase: FirmwareUpdateState) {
        var harness = UpdateHarness()
        harness.drive(to: phase)
        #expect(harness.send(.updateResult(10)) == [.cancelObservation([.state, .updateResult])])
        #expect(harness.update.state == .cancelled)
        #expect(harness.update.lastError == "firmware update cancelled")
    }

    @Test("result 0 changes no phase", arguments: [
        FirmwareUpdateState.delivering, .downloaded, .updating, .verifying,
    ])
    func initialResult(phase: FirmwareUpdateState) {
        var harness = UpdateHarness()
        harness.drive(to: phase)
        #expect(harness.send(.updateResult(0)).isEmpty)
        #expect(harness.update.state == phase)
        #expect(harness.update.resultCode == 0)
    }

    @Test("result 1 outside updating changes no phase", arguments: [
        FirmwareUpdateState.delivering, .downloaded, .verifying,
    ])
    func successResultOutsideUpdating(phase: FirmwareUpdateState) {
        var harness = UpdateHarness()
        harness.drive(to: phase)
        #expect(harness.send(.updateResult(1)).isEmpty)
        #expect(harness.update.state == phase)
    }

    @Test("result 4 is retried while attempts remain")
    func connectionLostRetries() {
        var harness = UpdateHarness(maxAttempts: 2)
        harness.drive(to: .delivering)
        harness.send(.deviceState(0))
        #expect(harness.send(.updateResult(4)) == [.writePackageURI])
        #expect(harness.update.state == .delivering)
        #expect(harness.update.attempts == 2)
    }
}

@Suite("FirmwareUpdate leftovers of an earlier update")
struct FirmwareUpdateStaleValueTests {
    @Test("results before the device took the delivery are only recorded", arguments: [1, 4, 8, 10])
    func staleResult(code: Int) {
        var harness = UpdateHarness()
        harness.send(.start)
        #expect(harness.send(.updateResult(code)).isEmpty)
        #expect(harness.update.state == .delivering)
        #expect(harness.update.resultCode == code)
    }

    @Test("results while scheduled are only recorded")
    func scheduledResult() {
        var harness = UpdateHarness()
        #expect(harness.send(.updateResult(8)).isEmpty)
        #expect(harness.update.state == .scheduled)
        #expect(harness.update.resultCode == 8)
    }

    @Test("a failure result after the package URI write was answered counts")
    func resultAfterAcknowledgement() {
        var harness = UpdateHarness(maxAttempts: 1)
        harness.send(.start)
        harness.send(.updateResult(5))
        #expect(harness.update.state == .delivering)
        harness.send(.requestSucceeded(.writePackageURI))
        harness.send(.updateResult(0))
        harness.send(.updateResult(5))
        #expect(harness.update.state == .failed)
    }

    @Test("a Downloaded before the delivery was taken is confirmed by a read afterwards")
    func staleDownloaded() {
        var harness = UpdateHarness()
        harness.send(.start)
        #expect(harness.send(.deviceState(2)).isEmpty)
        #expect(harness.update.state == .delivering)
        #expect(harness.send(.requestSucceeded(.writePackageURI)) == [.read([.state])])
        #expect(harness.send(.deviceState(2)) == [.executeUpdate])
        #expect(harness.update.state == .downloaded)
    }

    @Test("Downloading (1) counts as the device taking the delivery")
    func downloadingAcknowledges() {
        var harness = UpdateHarness()
        harness.send(.start)
        harness.send(.deviceState(1))
        #expect(harness.update.deliveryAcknowledged)
        harness.send(.updateResult(6))
        #expect(harness.update.state == .failed)
    }

    @Test("Idle (0) after the delivery was taken asks for the result")
    func idleAfterAcknowledgement() {
        var harness = UpdateHarness()
        harness.send(.start)
        #expect(harness.send(.deviceState(0)).isEmpty)
        harness.send(.requestSucceeded(.writePackageURI))
        #expect(harness.send(.deviceState(0)) == [.read([.updateResult])])
        #expect(harness.update.state == .delivering)
    }
}

@Suite("FirmwareUpdate request answers")
struct FirmwareUpdateRequestTests {
    @Test("a refused package URI write reads the State first; an Idle device fails the update without retry")
    func uriRefused() {
        var harness = UpdateHarness(maxAttempts: 3)
        harness.send(.start)
        #expect(harness.send(.requestFailed(.writePackageURI, reason: "4.00 Bad Request")) == [.read([.state])])
        #expect(harness.update.state == .delivering)
        let actions = harness.send(.deviceState(0))
        #expect(actions == [.cancelObservation([.state, .updateResult])])
        #expect(harness.update.state == .failed)
        #expect(harness.update.lastError == "device refused the package URI (4.00 Bad Request)")
    }

    @Test("a URI write refused because the device already downloads (a repeated write) goes on")
    func uriRefusedWhileDownloading() {
        var harness = UpdateHarness(maxAttempts: 3)
        harness.send(.start)
        #expect(harness.send(.requestFailed(.writePackageURI, reason: "4.05 a download is under way"))
            == [.read([.state])])
        harness.send(.deviceState(1))
        #expect(harness.update.state == .delivering)
        #expect(harness.update.deliveryAcknowledged)
        #expect(harness.update.uriRefusal == nil)
        #expect(harness.send(.deviceState(2)) == [.executeUpdate])
        #expect(harness.update.state == .downloaded)
    }

    @Test("a failure result that overtakes the URI write's answer is read again once the write is answered")
    func resultBeforeAcknowledgement() {
        var harness = UpdateHarness(maxAttempts: 3)
        harness.send(.start)
        // Not enough flash, reported before the 2.04 of the write arrived: recorded only, for now.
        #expect(harness.send(.updateResult(2)).isEmpty)
        #expect(harness.update.state == .delivering)
        #expect(harness.send(.requestSucceeded(.writePackageURI)) == [.read([.updateResult])])
        harness.send(.updateResult(2))
        #expect(harness.update.state == .failed)
        #expect(harness.update.lastError == "not enough flash memory for the new package (update result 2)")
    }

    @Test("a URI write refused by a device that holds the package already goes on to Update")
    func uriRefusedWhileDownloaded() {
        var harness = UpdateHarness(maxAttempts: 3)
        harness.send(.start)
        harness.send(.requestFailed(.writePackageURI, reason: "4.00 already downloaded"))
        #expect(harness.send(.deviceState(2)) == [.executeUpdate])
        #expect(harness.update.state == .downloaded)
    }

    @Test("a package URI write that timed out is retried")
    func uriTimedOut() {
        var harness = UpdateHarness(maxAttempts: 3)
        harness.send(.start)
        let actions = harness.send(.requestFailed(.writePackageURI, reason: "timeout", transient: true))
        #expect(actions == [.writeEmptyPackageURI, .writePackageURI])
        #expect(harness.update.attempts == 2)
        #expect(harness.update.lastError == "could not write the package URI (timeout)")
    }

    @Test("a refused push fails the update")
    func pushRefused() {
        var harness = UpdateHarness(method: .push)
        harness.send(.start)
        harness.send(.requestFailed(.pushPackage(resumeAt: 0), reason: "4.13 Request Entity Too Large"))
        #expect(harness.update.state == .failed)
        #expect(harness.update.lastError == "device refused the package (4.13 Request Entity Too Large)")
    }

    @Test("a refused Update execute fails the update")
    func executeRefused() {
        var harness = UpdateHarness()
        harness.drive(to: .downloaded)
        harness.send(.requestFailed(.executeUpdate, reason: "4.05 Method Not Allowed"))
        #expect(harness.update.state == .failed)
        #expect(harness.update.lastError == "device refused Update /5/0/2 (4.05 Method Not Allowed)")
    }

    @Test("a lost Update execute answer reads the state instead of executing again")
    func executeLost() {
        var harness = UpdateHarness()
        harness.drive(to: .downloaded)
        let actions = harness.send(.requestFailed(.executeUpdate, reason: "timeout", transient: true))
        #expect(actions == [.read([.state, .updateResult])])
        #expect(harness.update.state == .downloaded)
    }

    @Test("failed observations and reads change nothing: the fallback reads cover them")
    func observeFailed() {
        var harness = UpdateHarness()
        harness.send(.start)
        let before = harness.update
        #expect(harness.send(.requestFailed(.observe([.state, .updateResult]), reason: "4.04")).isEmpty)
        #expect(harness.send(.requestFailed(.read([.state]), reason: "timeout", transient: true)).isEmpty)
        #expect(harness.update == before)
    }

    @Test("answers that do not match the phase are ignored")
    func mismatchedAnswer() {
        var harness = UpdateHarness()
        harness.send(.start)
        #expect(harness.send(.requestSucceeded(.executeUpdate)).isEmpty)
        #expect(harness.send(.requestFailed(.executeUpdate, reason: "4.05")).isEmpty)
        #expect(harness.update.state == .delivering)
    }
}
