import Foundation
import Testing

@testable import FirmwareOTA

@Suite("Update Result /5/0/5 codes")
struct FirmwareResultTests {
    /// The expected meaning of every code LwM2M 1.1 defines.
    static let table: [(code: Int, name: String, reason: String, outcome: FirmwareResult.Outcome)] = [
        (0, "initial", "no update result yet (initial value)", .notAResult),
        (1, "updated", "firmware updated successfully", .success),
        (2, "not-enough-flash", "not enough flash memory for the new package", .failure),
        (3, "out-of-ram", "out of RAM during the download", .failure),
        (4, "connection-lost", "connection lost during the download", .failure),
        (5, "integrity-check-failure", "integrity check of the new package failed", .failure),
        (6, "unsupported-package-type", "unsupported package type", .failure),
        (7, "invalid-uri", "invalid package URI", .failure),
        (8, "update-failed", "firmware update failed", .failure),
        (9, "unsupported-protocol", "unsupported download protocol", .failure),
        (10, "cancelled", "firmware update cancelled", .cancelled),
        (11, "deferred", "firmware update deferred", .failure),
    ]

    @Test("every code 0...11 has its name, reason and outcome", arguments: 0...11)
    func knownCode(code: Int) throws {
        let expected = try #require(Self.table.first { $0.code == code })
        let result = FirmwareResult(code: code)
        #expect(result.name == expected.name)
        #expect(result.reason == expected.reason)
        #expect(result.outcome == expected.outcome)
    }

    @Test("the table covers exactly the known codes with distinct names")
    func tableComplete() {
        #expect(Self.table.map(\.code) == Array(FirmwareResult.knownCodes))
        #expect(Set(FirmwareResult.knownCodes.map { FirmwareResult(code: $0).name }).count == 12)
    }

    @Test("unknown codes are failures with a reason naming the code", arguments: [12, 42, -1])
    func unknownCode(code: Int) {
        let result = FirmwareResult(code: code)
        #expect(result.name == "unknown")
        #expect(result.reason == "unknown update result \(code)")
        #expect(result.outcome == .failure)
        #expect(!result.isRetryable)
    }

    @Test("only connection lost (4) is retryable")
    func retryable() {
        let retryable = (0...20).filter { FirmwareResult(code: $0).isRetryable }
        #expect(retryable == [4])
    }
}

@Suite("Update states")
struct FirmwareUpdateStateTests {
    @Test("exactly succeeded, failed and cancelled are final")
    func finalStates() {
        #expect(FirmwareUpdateState.allCases.filter(\.isFinal) == [.succeeded, .failed, .cancelled])
    }

    @Test("every update state maps to the campaign device state of the same name")
    func campaignMapping() {
        for state in FirmwareUpdateState.allCases {
            let device = CampaignDeviceState(state)
            #expect(device.rawValue == state.rawValue)
            #expect(device.isFinal == state.isFinal)
        }
        #expect(CampaignDeviceState.allCases.count == FirmwareUpdateState.allCases.count + 1)
        #expect(!CampaignDeviceState.pending.isActive && !CampaignDeviceState.pending.isFinal)
    }
}
