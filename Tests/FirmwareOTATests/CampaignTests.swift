import Foundation
import Testing

@testable import FirmwareOTA

/// A campaign over `count` endpoints `dev-000`, `dev-001`, … created at `clock.now`.
private func campaign(
    _ count: Int, maxConcurrent: Int = 1_000, perMinute: Int? = nil, threshold: Double = 1, waves: [Double] = [],
    clock: TestClock = TestClock()
) -> Campaign {
    Campaign(
        id: 1, firmwareID: 3, method: .auto, endpoints: (0..<count).map { String(format: "dev-%03d", $0) },
        maxConcurrent: maxConcurrent, perMinute: perMinute, failureThreshold: threshold, waves: waves,
        at: clock.now)
}

extension Campaign {
    /// Records `state` for each endpoint, with update ids from 100.
    fileprivate mutating func finish(_ endpoints: [String], as state: FirmwareUpdateState, at now: Date) {
        for (offset, endpoint) in endpoints.enumerated() {
            record(endpoint: endpoint, updateID: Int64(100 + offset), state: state, at: now)
        }
    }
}

@Suite("Campaign waves")
struct CampaignWaveTests {
    @Test("wave ends are ceil(fraction × total), with binary rounding tolerated")
    func waveEnds() {
        #expect(campaign(100, waves: [0.01, 0.1, 0.5, 1.0]).waveEnds == [1, 10, 50, 100])
        #expect(campaign(100, waves: [0.07]).waveEnds == [7, 100])
        #expect(campaign(10, waves: [0.05, 0.25]).waveEnds == [1, 3, 10])
        #expect(campaign(10).waveEnds == [10])
        #expect(campaign(10, waves: [0, 0.1, 0.1, 0.5]).waveEnds == [1, 5, 10])
    }

    @Test("a wave waits until every device of the previous one is final")
    func waveWaits() {
        let clock = TestClock()
        var subject = campaign(100, waves: [0.01, 0.1, 0.5, 1.0], clock: clock)
        #expect(subject.next(at: clock.now) == ["dev-000"])
        #expect(subject.currentWave == 0)
        #expect(subject.next(at: clock.now).isEmpty)
        subject.record(endpoint: "dev-000", updateID: 1, state: .delivering, at: clock.now)
        #expect(subject.next(at: clock.now).isEmpty)
        subject.record(endpoint: "dev-000", updateID: 1, state: .succeeded, at: clock.now)
        let second = subject.next(at: clock.now)
        #expect(second == (1..<10).map { String(format: "dev-%03d", $0) })
        #expect(subject.currentWave == 1)
        subject.finish(Array(second.dropLast()), as: .succeeded, at: clock.now)
        #expect(subject.next(at: clock.now).isEmpty)
        subject.finish([second[second.count - 1]], as: .succeeded, at: clock.now)
        #expect(subject.currentWave == 2)
        #expect(subject.next(at: clock.now).count == 40)
    }

    @Test("without waves everything is one wave")
    func noWaves() {
        let clock = TestClock()
        var subject = campaign(25, clock: clock)
        #expect(subject.next(at: clock.now).count == 25)
        #expect(subject.counts["scheduled"] == 25)
        #expect(subject.devices.allSatisfy { $0.startedAt == clock.now })
    }

    @Test("a wave does not open while the failure share is above the threshold")
    func waveBlockedByFailures() {
        let clock = TestClock()
        var subject = campaign(20, threshold: 0.4, waves: [0.1], clock: clock)
        let first = subject.next(at: clock.now)
        #expect(first.count == 2)
        subject.finish([first[0]], as: .succeeded, at: clock.now)
        subject.finish([first[1]], as: .failed, at: clock.now)
        #expect(subject.status == .paused)
        #expect(subject.currentWave == 0)
        #expect(subject.next(at: clock.now).isEmpty)
    }
}

@Suite("Campaign concurrency and rate")
struct CampaignRateTests {
    @Test("no more than maxConcurrent devices are active")
    func maxConcurrent() {
        let clock = TestClock()
        var subject = campaign(10, maxConcurrent: 3, clock: clock)
        #expect(subject.next(at: clock.now) == ["dev-000", "dev-001", "dev-002"])
        #expect(subject.next(at: clock.now).isEmpty)
        subject.record(endpoint: "dev-001", updateID: 11, state: .updating, at: clock.now)
        #expect(subject.next(at: clock.now).isEmpty)
        subject.record(endpoint: "dev-001", updateID: 11, state: .succeeded, at: clock.now)
        #expect(subject.next(at: clock.now) == ["dev-003"])
        #expect(subject.activeCount == 3)
        #expect(subject.devices[1].updateID == 11)
    }

    @Test("perMinute limits starts per rolling minute")
    func perMinute() {
        var clock = TestClock()
        var subject = campaign(10, perMinute: 2, clock: clock)
        #expect(subject.next(at: clock.now).count == 2)
        clock.advance(30)
        #expect(subject.next(at: clock.now).isEmpty)
        clock.advance(29)
        #expect(subject.next(at: clock.now).isEmpty)
        clock.advance(1)
        #expect(subject.next(at: clock.now) == ["dev-002", "dev-003"])
        clock.advance(30)
        #expect(subject.next(at: clock.now).isEmpty)
    }

    @Test("the rate limit counts starts, not active devices")
    func rateCountsStarts() {
        let clock = TestClock()
        var subject = campaign(5, perMinute: 2, clock: clock)
        let started = subject.next(at: clock.now)
        subject.finish(started, as: .succeeded, at: clock.now)
        #expect(subject.next(at: clock.now).isEmpty)
    }

    @Test("maxConcurrent and perMinute below 1 are raised to 1")
    func limitsClamped() {
        let subject = campaign(3, maxConcurrent: 0, perMinute: -5, threshold: 7)
        #expect(subject.maxConcurrent == 1 && subject.perMinute == 1 && subject.failureThreshold == 1)
    }
}

@Suite("Campaign failure threshold")
struct CampaignThresholdTests {
    @Test("a failure share above the threshold pauses with the counts in the reason")
    func pausesWithReason() {
        let clock = TestClock()
        var subject = campaign(20, maxConcurrent: 10, threshold: 0.25, clock: clock)
        let started = subject.next(at: clock.now)
        subject.finish(Array(started[0..<7]), as: .succeeded, at: clock.now)
        subject.finish(Array(started[7..<9]), as: .failed, at: clock.now)
        #expect(subject.status == .running)
        subject.finish([started[9]], as: .failed, at: clock.now)
        #expect(subject.status == .paused)
        #expect(subject.pauseReason == "3 of 10 finished devices failed (30 %), above the threshold 25 %")
        #expect(subject.history.last?.note == subject.pauseReason)
        #expect(subject.next(at: clock.now).isEmpty)
    }

    @Test("with thresholdMinimum the share is judged only once that many devices finished")
    func thresholdMinimum() {
        let clock = TestClock()
        var subject = Campaign(
            id: 1, firmwareID: 3, endpoints: (0..<20).map { "dev-\($0)" }, maxConcurrent: 10,
            failureThreshold: 0.5, thresholdMinimum: 4, at: clock.now)
        let started = subject.next(at: clock.now)
        subject.finish(Array(started[0..<2]), as: .failed, at: clock.now)
        #expect(subject.status == .running, "2 of 2 failed, but fewer than 4 finished")
        subject.finish([started[2]], as: .succeeded, at: clock.now)
        #expect(subject.status == .running)
        subject.finish([started[3]], as: .failed, at: clock.now)
        #expect(subject.status == .paused, "3 of 4 failed: 75 % > 50 %")
        // Below 1 is 1.
        let strict = Campaign(id: 2, firmwareID: 3, endpoints: ["a"], maxConcurrent: 1, failureThreshold: 0,
                              thresholdMinimum: 0, at: clock.now)
        #expect(strict.thresholdMinimum == 1)
    }

    @Test("after a restart, devices started without an update go back to pending and start again")
    func requeueUnstarted() {
        let clock = TestClock()
        var subject = campaign(5, maxConcurrent: 3, clock: clock)
        let started = subject.next(at: clock.now)
        #expect(started == ["dev-000", "dev-001", "dev-002"])
        subject.record(endpoint: "dev-000", updateID: 7, state: .delivering, at: clock.now)
        // dev-001 has an update row the campaign did not record yet; dev-002 has none.
        let requeued = subject.requeueUnstarted(withUpdates: ["dev-000", "dev-001"], at: clock.now)
        #expect(requeued == ["dev-002"])
        #expect(subject.counts["pending"] == 3)
        #expect(subject.next(at: clock.now) == ["dev-002"])
        #expect(subject.requeueUnstarted(withUpdates: ["dev-000", "dev-001", "dev-002"], at: clock.now) == [])
    }

    @Test("a share exactly at the threshold does not pause")
    func atThreshold() {
        let clock = TestClock()
        var subject = campaign(10, threshold: 0.5, clock: clock)
        let started = subject.next(at: clock.now)
        subject.finish([started[0]], as: .succeeded, at: clock.now)
        subject.finish([started[1]], as: .failed, at: clock.now)
        #expect(subject.status == .running)
    }

    @Test("the threshold is evaluated from the first finished device")
    func evaluatedFromOne() {
        let clock = TestClock()
        var subject = campaign(10, threshold: 0.2, clock: clock)
        _ = subject.next(at: clock.now)
        subject.finish(["dev-004"], as: .failed, at: clock.now)
        #expect(subject.status == .paused)
        #expect(subject.pauseReason == "1 of 1 finished devices failed (100 %), above the threshold 20 %")
    }

    @Test("cancelled devices count as finished but not failed")
    func cancelledNotFailed() {
        let clock = TestClock()
        var subject = campaign(10, threshold: 0, clock: clock)
        _ = subject.next(at: clock.now)
        subject.finish(["dev-000", "dev-001"], as: .cancelled, at: clock.now)
        #expect(subject.status == .running)
    }

    @Test("resume does not re-pause on the failures it acknowledged")
    func resumeDoesNotRepause() {
        var clock = TestClock()
        var subject = campaign(20, maxConcurrent: 4, threshold: 0.25, clock: clock)
        let first = subject.next(at: clock.now)
        subject.finish([first[0]], as: .succeeded, at: clock.now)
        subject.finish([first[1]], as: .failed, at: clock.now)
        #expect(subject.status == .paused)
        clock.advance(60)
        let resumed = subject.resume(at: clock.now)
        #expect(resumed)
        #expect(subject.status == .running && subject.pauseReason == nil)
        #expect(subject.failuresAcknowledged == 1 && subject.baselineFinished == 2)
        #expect(subject.history.last?.note == "resumed by an operator; 1 failures acknowledged")
        // Without the acknowledgement this success would leave 1 of 3 failed (33 %) and pause again.
        subject.finish([first[2]], as: .succeeded, at: clock.now)
        #expect(subject.status == .running)
        #expect(subject.next(at: clock.now).count == 3)
        subject.finish([first[3]], as: .succeeded, at: clock.now)
        #expect(subject.status == .running)
        subject.finish(["dev-004"], as: .failed, at: clock.now)
        #expect(subject.status == .paused)
        // Only the devices finished after the resume count: 1 of 3, not 2 of 5.
        #expect(subject.pauseReason == "1 of 3 finished devices failed (33.3 %), above the threshold 25 %")
    }

    @Test("an operator pause and resume")
    func operatorPause() {
        let clock = TestClock()
        var subject = campaign(5, clock: clock)
        let paused = subject.pause(at: clock.now)
        let pausedAgain = subject.pause(at: clock.now)
        #expect(paused && !pausedAgain)
        #expect(subject.pauseReason == "paused by an operator")
        #expect(subject.next(at: clock.now).isEmpty)
        let resumed = subject.resume(at: clock.now)
        let resumedAgain = subject.resume(at: clock.now)
        #expect(resumed && !resumedAgain)
        #expect(subject.next(at: clock.now).count == 5)
        #expect(subject.history.map(\.to) == [.paused, .running])
    }
}

@Suite("Campaign cancel and completion")
struct CampaignCompletionTests {
    @Test("cancel drops pending devices and returns the active ones")
    func cancel() {
        let clock = TestClock()
        var subject = campaign(10, maxConcurrent: 3, clock: clock)
        _ = subject.next(at: clock.now)
        subject.record(endpoint: "dev-000", updateID: 1, state: .succeeded, at: clock.now)
        let active = subject.cancel(at: clock.now)
        #expect(active == ["dev-001", "dev-002"])
        #expect(subject.status == .cancelled)
        #expect(subject.counts["cancelled"] == 7 && subject.counts["succeeded"] == 1)
        #expect(subject.next(at: clock.now).isEmpty)
        #expect(subject.cancel(at: clock.now).isEmpty)
        subject.finish(active, as: .cancelled, at: clock.now)
        #expect(subject.status == .cancelled)
        #expect(subject.counts["cancelled"] == 9)
    }

    @Test("100 devices with 10 failing complete with exact counts")
    func completion() {
        var clock = TestClock()
        var subject = campaign(100, maxConcurrent: 10, perMinute: 30, threshold: 0.2, waves: [0.1, 0.5, 1.0],
                               clock: clock)
        var rounds = 0
        while subject.status == .running, rounds < 1_000 {
            rounds += 1
            for endpoint in subject.next(at: clock.now) {
                let index = Int(endpoint.dropFirst(4)) ?? -1
                subject.record(endpoint: endpoint, updateID: Int64(index), state: .delivering, at: clock.now)
                subject.record(endpoint: endpoint, updateID: Int64(index),
                               state: index % 10 == 9 ? .failed : .succeeded, at: clock.now)
            }
            clock.advance(20)
        }
        #expect(subject.status == .completed)
        #expect(subject.counts == ["pending": 0, "scheduled": 0, "delivering": 0, "downloaded": 0, "updating": 0,
                                   "verifying": 0, "succeeded": 90, "failed": 10, "cancelled": 0])
        #expect(subject.currentWave == 2)
        #expect(subject.history.map(\.to) == [.completed])
        #expect(subject.history.last?.note == "every device finished: 90 succeeded, 10 failed, 0 cancelled")
        // 30 starts per minute, 20 s per round: at most 10 per round, so at least 10 rounds.
        #expect(rounds >= 10)
    }

    @Test("records for unknown endpoints and finished devices are ignored")
    func ignoredRecords() {
        let clock = TestClock()
        var subject = campaign(2, clock: clock)
        _ = subject.next(at: clock.now)
        subject.record(endpoint: "dev-000", updateID: 1, state: .failed, at: clock.now)
        let before = subject
        subject.record(endpoint: "nope", updateID: 9, state: .failed, at: clock.now)
        subject.record(endpoint: "dev-000", updateID: 1, state: .succeeded, at: clock.now)
        #expect(subject == before)
    }

    @Test("an empty campaign is completed at once and duplicates are dropped")
    func emptyAndDuplicates() {
        let clock = TestClock()
        let empty = Campaign(id: 2, firmwareID: 3, endpoints: [], maxConcurrent: 5, failureThreshold: 0.1,
                             at: clock.now)
        #expect(empty.status == .completed)
        let duplicated = Campaign(id: 3, firmwareID: 3, endpoints: ["a", "b", "a"], maxConcurrent: 5,
                                  failureThreshold: 0.1, at: clock.now)
        #expect(duplicated.devices.map(\.endpoint) == ["a", "b"])
    }

    @Test("a campaign survives a Codable round trip")
    func codable() throws {
        let clock = TestClock()
        var subject = campaign(10, maxConcurrent: 2, perMinute: 5, threshold: 0.3, waves: [0.5], clock: clock)
        _ = subject.next(at: clock.now)
        subject.record(endpoint: "dev-000", updateID: 5, state: .failed, at: clock.now)
        let decoded = try JSONDecoder().decode(Campaign.self, from: JSONEncoder().encode(subject))
        #expect(decoded == subject)
    }
}
