// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardModel
import SwitchyardRisk
import Testing

/// A short, seeded mutation fuzz of the scenario loader and the site model, in process:
/// a trap would end the test run. (`scripts/fuzz.sh N` runs the long version through
/// the binary, with CSV readers too.)
struct FuzzTests {
    static let hostile = [
        "0", "-1", "1e308", "-1e308", "1e-308", ".nan", ".inf", "-.inf", "9223372036854775807", "-9223372036854775808",
        "1e19", "1e100", "2.5", "0.5", "abc", "''", "[]", "{}", "1e6", "-0", "3",
    ]

    /// A deterministic generator for the mutations.
    struct Dice {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(bound, 1)))
        }
    }

    static func mutate(_ text: String, _ dice: inout Dice) -> String {
        var lines = text.components(separatedBy: "\n")
        switch dice.next(10) {
        case 0..<7:
            let numbers = lines.enumerated().flatMap { i, line -> [(Int, Range<String.Index>)] in
                let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
                guard !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") else { return [] }
                return code.ranges(of: /-?\d+(\.\d+)?(e[+-]?\d+)?/).map { (i, $0) }
            }
            guard !numbers.isEmpty else { return text }
            let (i, range) = numbers[dice.next(numbers.count)]
            lines[i].replaceSubrange(range, with: hostile[dice.next(hostile.count)])
        case 7: lines.remove(at: dice.next(lines.count))
        case 8:
            let i = dice.next(lines.count)
            lines.insert(lines[i], at: i)
        default: lines = Array(lines.prefix(dice.next(lines.count)))
        }
        return lines.joined(separator: "\n")
    }

    @Test("300 mutated scenarios: each is refused with a message or runs to finite numbers (or a named non-finite stop)")
    func mutatedScenarios() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let texts = try ["texas-200mw", "small-miner-20mw"].map {
            try String(contentsOf: root.appendingPathComponent("Models/\($0).yaml"), encoding: .utf8)
        }
        var dice = Dice(state: 2026)
        var (refused, ran, stopped) = (0, 0, 0)
        for _ in 0..<300 {
            let text = Self.mutate(texts[dice.next(2)], &dice)
            let scenario: Scenario
            do {
                scenario = try ScenarioLoader.load(yaml: text, file: "fuzz.yaml", baseDirectory: root.appendingPathComponent("Models").path)
            } catch {
                #expect(error.description.contains("fuzz.yaml"), "an error names the file: \(error.description)")
                refused += 1
                continue
            }
            var short = scenario
            short.horizonMonths = min(scenario.horizonMonths, 24)
            short.conversions = short.conversions.map {
                var c = $0
                c.startMonth = min(c.startMonth, short.horizonMonths)
                return c
            }
            short.colocation = short.colocation.filter { $0.startMonth <= short.horizonMonths }
            let result = SiteModel.run(scenario: short, seed: 1, path: 0)
            if NonFiniteResult.check(result, path: 0, scenario: short) != nil { stopped += 1 } else { ran += 1 }
        }
        #expect(refused + ran + stopped == 300)
        #expect(refused > 0 && ran > 0, "the mutations both break and keep scenarios (refused \(refused), ran \(ran))")
    }
}
