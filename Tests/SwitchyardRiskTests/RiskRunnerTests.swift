// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardModel
import SwitchyardReport
import SwitchyardRisk
import Testing

struct RiskRunnerTests {
    /// The small miner over two years: quick, and it has every revenue stream but colocation.
    static func scenario() throws -> Scenario {
        var s = try ScenarioLoader.builtin("small-miner-20mw")
        s.horizonMonths = 24
        return s
    }

    static func csvTexts(_ r: RiskResult) -> [String] {
        [RiskCSV.paths(r).text, RiskCSV.monthly(r).text, RiskCSV.summary(r).text]
    }

    @Test("Byte-identical output for 1, 2 and 4 threads and across runs")
    func determinismAcrossThreads() throws {
        let s = try Self.scenario()
        let outputs = try [1, 2, 4, 2].map { threads in
            Self.csvTexts(try RiskRunner.run(scenario: s, settings: RiskSettings(paths: 30, seed: 9, threads: threads, batchSize: 12)))
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0] == outputs[2])
        #expect(outputs[1] == outputs[3])
        let otherSeed = Self.csvTexts(try RiskRunner.run(scenario: s, settings: RiskSettings(paths: 30, seed: 10, threads: 2)))
        #expect(otherSeed[0] != outputs[0][0])
    }

    @Test("Path rows equal single-path simulations; the batch size does not matter")
    func pathsMatchSimulate() throws {
        let s = try Self.scenario()
        let a = try RiskRunner.run(scenario: s, settings: RiskSettings(paths: 12, seed: 4, threads: 2, batchSize: 5))
        let b = try RiskRunner.run(scenario: s, settings: RiskSettings(paths: 12, seed: 4, threads: 1, batchSize: 12))
        #expect(Self.csvTexts(a) == Self.csvTexts(b))
        for outcome in a.paths {
            #expect(outcome.npvUSD == SiteModel.run(scenario: s, seed: 4, path: outcome.path).npvUSD)
        }
    }

    @Test("Common random numbers: an input that does not affect the model swings exactly zero")
    func tornadoZeroSwing() throws {
        let s = try Self.scenario()
        let settings = RiskSettings(paths: 16, seed: 3, threads: 2)
        // GPU lifetime is in the scenario but not in the cash-flow model (no depreciation).
        let unused = SensitivityInput(name: "GPU lifetime", value: { $0.gpuCloud?.gpu.lifetimeYears }) {
            $0.gpuCloud!.gpu.lifetimeYears = $1
        }
        let bars = try RiskRunner.tornado(
            scenario: s, settings: settings, inputs: [unused, SensitivityInput.standard[0]])
        let zero = try #require(bars.first { $0.input == "GPU lifetime" })
        #expect(zero.lowValue != zero.highValue)
        #expect(zero.swingUSD == 0)
        let btc = try #require(bars.first { $0.input == "BTC price (initial)" })
        #expect(btc.swingUSD > 0)
        #expect(bars[0].input == "BTC price (initial)", "ranked by swing")
        // Without common random numbers the same "no-effect" change would show noise:
        let seedA = try RiskRunner.meanNPV(scenario: s, settings: settings)
        var other = settings
        other.seed = 4
        #expect(try RiskRunner.meanNPV(scenario: s, settings: other) != seedA)
    }

    @Test("Scenario ranges override the relative swing for the inputs they name")
    func tornadoRanges() throws {
        var s = try Self.scenario()
        s.sensitivity = Sensitivity(swing: 0.1, ranges: ["BTC price (initial)": 50_000...150_000])
        let bars = try RiskRunner.tornado(
            scenario: s, settings: RiskSettings(paths: 4, seed: 3, threads: 2), swing: 0.3,
            inputs: [SensitivityInput.standard[0], SensitivityInput.standard[2]])
        let price = try #require(bars.first { $0.input == "BTC price (initial)" })
        #expect(price.lowValue == 50_000 && price.highValue == 150_000)
        let vol = try #require(bars.first { $0.input == "BTC volatility" })
        #expect(abs(vol.lowValue! - 0.45 * 0.9) < 1e-12 && abs(vol.highValue! - 0.45 * 1.1) < 1e-12, "scenario swing 10% wins over 30%")
    }

    @Test("--precision stops at the first batch whose CI is narrow enough, deterministically")
    func precisionStopping() throws {
        let s = try Self.scenario()
        // 15%: the small site's 24-month NPV is small against its spread (2026 inputs).
        let settings = RiskSettings(paths: 2_000, seed: 5, threads: 2, precision: 0.15, batchSize: 20)
        let r = try RiskRunner.run(scenario: s, settings: settings)
        #expect(r.reachedPrecision == true)
        #expect(r.paths.count < 2_000 && r.paths.count % 20 == 0)
        #expect(1.96 * r.npv.standardError <= 0.15 * abs(r.npv.mean))
        // One batch fewer would not have been enough (unless that is below the 2-batch minimum).
        if r.paths.count > 40 {
            let shorter = DistributionSummary(r.paths.dropLast(20).map(\.npvUSD))
            #expect(1.96 * shorter.standardError > 0.15 * abs(shorter.mean))
        }
        var single = settings
        single.threads = 1
        #expect(try RiskRunner.run(scenario: s, settings: single).paths == r.paths)
    }

    @Test("Comparing a scenario with itself gives a zero difference on every path")
    func comparisonWithItself() throws {
        let s = try Self.scenario()
        let c = try RiskRunner.compare(s, with: s, settings: RiskSettings(paths: 10, seed: 1, threads: 2))
        #expect(c.difference.maximum == 0 && c.difference.minimum == 0)
    }
}

/// Issue 16's core, in the library: a run cut into shards of contiguous paths, each
/// kept exactly, merged in order, gives the single run's outputs byte for byte.
struct ShardMergeTests {
    @Test("Shards of 1, 2, 3 and 7 merged in order give the single run's CSVs and JSON byte for byte", arguments: [1, 2, 3, 7])
    func shardsMergeExactly(n: Int) throws {
        for name in ["texas-200mw", "small-miner-20mw"] {
            var s = try ScenarioLoader.builtin(name)
            s.horizonMonths = 24
            let settings = RiskSettings(paths: 61, seed: 5, threads: 2, batchSize: 16)
            let single = try RiskRunner.run(scenario: s, settings: settings)
            // Each shard on its own (another thread count, another batch size).
            let shards = try (0..<n).map { k in
                let range = RiskRunner.shardRange(k: k, of: n, paths: settings.paths)
                return try RiskRunner.pathRecords(scenario: s, seed: settings.seed, first: range.lowerBound, count: range.count, threads: 1)
            }
            #expect(shards.map(\.count).reduce(0, +) == settings.paths)
            let merged = RiskRunner.merge(scenario: s, settings: settings, records: shards)
            #expect(RiskCSV.paths(merged).text == RiskCSV.paths(single).text, "\(name)")
            #expect(RiskCSV.monthly(merged).text == RiskCSV.monthly(single).text, "\(name)")
            #expect(RiskCSV.summary(merged).text == RiskCSV.summary(single).text, "\(name)")
            #expect(YearlyCSV.table(merged.yearlyMeans).text == YearlyCSV.table(single.yearlyMeans).text, "\(name)")
            let a = try JSONSummary.risk(merged, tornado: [], comparison: nil, version: "t")
            let b = try JSONSummary.risk(single, tornado: [], comparison: nil, version: "t")
            #expect(a == b, "\(name)")
        }
    }

    @Test("Shard ranges cover every path exactly once, in order")
    func shardRanges() {
        for paths in [0, 1, 5, 61, 1_000_003] {
            for n in [1, 2, 3, 7, 64] {
                let ranges = (0..<n).map { RiskRunner.shardRange(k: $0, of: n, paths: paths) }
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == paths)
                for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
            }
        }
    }
}
