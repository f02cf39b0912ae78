import Foundation
import Testing

@testable import FuzzTargets

/// Every seed of `Fuzz/corpus/<target>` and every finding kept in `Fuzz/regressions/<target>` goes through its fuzz
/// target in an ordinary build: a crash found once (and fixed) fails this test if it comes back. The seeds are
/// also checked to exist, so each target starts from real inputs.
@Suite("Fuzz corpus and regressions")
struct FuzzCorpusTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func files(_ kind: String, _ target: FuzzTarget) -> [URL] {
        let directory = root.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func seedsAndRegressionsRunThroughTheTarget(_ target: FuzzTarget) throws {
        let seeds = Self.files("corpus", target)
        #expect(seeds.count >= 3, "\(target.rawValue) needs seeds in Fuzz/corpus/\(target.rawValue)")
        for file in seeds + Self.files("regressions", target) {
            target.run(Array(try Data(contentsOf: file)))
        }
    }
}
