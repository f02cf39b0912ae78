import Foundation
import Testing

import ResourceModel
@testable import RESTBridge

@Suite("APIJSON")
struct APIJSONTests {
    @Test("instants print as UTC with exactly three fraction digits", arguments: [
        (1_795_395_723_456, "2026-11-23T01:02:03.456Z"), (0, "1970-01-01T00:00:00.000Z"),
        (1_000, "1970-01-01T00:00:01.000Z"), (-500, "1969-12-31T23:59:59.500Z"),
        (951_782_400_001, "2000-02-29T00:00:00.001Z"),
    ])
    func timestamps(milliseconds: Int64, expected: String) {
        let date = Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
        #expect(APIJSON.timestamp(date) == expected)
    }

    @Test("every stored millisecond prints back exactly")
    func exactMilliseconds() {
        for millis in Int64(1_795_395_723_000)..<1_795_395_724_000 {
            let date = Date(timeIntervalSince1970: TimeInterval(millis) / 1000)
            let expected = String(millis % 1000)
            let printed = APIJSON.timestamp(date)
            guard printed.hasSuffix(String(repeating: "0", count: 3 - expected.count) + expected + "Z") else {
                Issue.record("\(millis) printed as \(printed)")
                return
            }
        }
    }
}

/// Issue 9 #7: instants stored before device times were range-checked render clamped, never trapping.
@Suite("APIJSON out-of-range instants")
struct APIJSONOutOfRangeTests {
    @Test("Int64.max / Int64.min milliseconds, ±infinity and NaN clamp to 1582-10-15…9999")
    func clamps() {
        #expect(APIJSON.timestamp(Date(timeIntervalSince1970: TimeInterval(Int64.max) / 1000)) == "9999-12-31T23:59:59.999Z")
        #expect(APIJSON.timestamp(Date(timeIntervalSince1970: TimeInterval(Int64.min) / 1000)) == "1582-10-15T00:00:00.000Z")
        #expect(APIJSON.timestamp(Date(timeIntervalSince1970: 1e300)) == "9999-12-31T23:59:59.999Z")
        #expect(APIJSON.timestamp(Date(timeIntervalSince1970: -1e300)) == "1582-10-15T00:00:00.000Z")
        #expect(APIJSON.timestamp(Date(timeIntervalSince1970: .infinity)) == "9999-12-31T23:59:59.999Z")
        #expect(APIJSON.timestamp(Date(timeIntervalSince1970: .nan)) == "1582-10-15T00:00:00.000Z")
        #expect(APIJSON.timestamp(Date(timeIntervalSince1970: 1e15)) == "9999-12-31T23:59:59.999Z")
    }

    @Test("a stored instant prints as the instant itself would: NaN, ±infinity and huge values alike")
    func storedAndRenderedAgree() {
        for seconds in [TimeInterval.nan, .infinity, -.infinity, 1e300, -1e300, 1_795_395_723.456, 0] {
            let date = Date(timeIntervalSince1970: seconds)
            let stored = EpochMilliseconds.date(EpochMilliseconds.from(date))
            #expect(APIJSON.timestamp(stored) == APIJSON.timestamp(date), "\(seconds)")
        }
    }
}
