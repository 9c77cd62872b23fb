// SPDX-License-Identifier: GPL-3.0-or-later

import MMcQueue
import SwitchyardEngine
import SwitchyardTestSupport
import Testing

struct StatisticsTests {
    @Test("Tally matches the two-pass mean and variance")
    func tallyMatchesTwoPass() {
        var generator = Xoshiro256StarStar(seed: 3)
        let values = (0..<10_000).map { _ in Double(generator.next() % 1_000_000) / 1_000 + 1e6 }
        var tally = Tally()
        for value in values { tally.add(value) }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        #expect(abs(tally.mean - mean) < 1e-9 * mean)
        #expect(abs(tally.variance - variance) < 1e-6 * variance)
        #expect(tally.minimum == values.min()! && tally.maximum == values.max()!)
    }

    @Test("Time-weighted mean integrates a step function exactly")
    func timeWeightedStep() {
        var statistic = TimeWeightedStatistic(value: 0, at: 0)
        statistic.record(2, at: 1)  // 0 on [0,1)
        statistic.record(5, at: 3)  // 2 on [1,3)
        statistic.record(1, at: 4)  // 5 on [3,4), then 1 on [4,6)
        #expect(statistic.mean(at: 6) == (0 + 4 + 5 + 2) / 6.0)
        #expect(statistic.maximum == 5)
        statistic.reset(at: 6)
        #expect(statistic.mean(at: 8) == 1)
    }

    /// Two checks at 4 SE (the second on the SE's own sampling error); swept over 100 seeds.
    @Test("Batch means of independent data give the classical standard error", arguments: TestSeeds.sweep)
    func batchMeansOfIndependentData(offset: UInt64) {
        var generator = Xoshiro256StarStar(seed: TestSeeds.seed(11, offset))
        let values = (0..<30_000).map { _ in Double(generator.next() >> 11) * 0x1p-53 }
        let batch = BatchMeans(values, batches: 30)
        // Uniform(0,1): mean 1/2, sd of the mean of 30,000 = sqrt(1/12 / 30,000).
        let exactSE = (1.0 / 12 / 30_000).squareRoot()
        #expect(abs(batch.mean - 0.5) < 4 * exactSE)
        // The batch estimate of the SE itself has relative error ~ 1/sqrt(2*29) ~ 13%.
        #expect(abs(batch.standardError / exactSE - 1) < 4 * (1 / (2.0 * 29).squareRoot()))
    }
}
