// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardStochastic
import SwitchyardTestSupport
import Testing

struct DistributionTests {
    static let cases: [Distribution] = [
        .normal(mean: 3, sd: 2),
        .lognormal(logMean: 0.5, logSD: 0.4),
        .lognormal(mean: 10, sd: 3),
        .gamma(shape: 2.5, scale: 1.5),
        .beta(a: 2, b: 5),
        .exponential(mean: 4),
        .poisson(mean: 6.5),
        .uniform(low: -1, high: 3),
        .triangular(low: 0, mode: 2, high: 10),
        .pert(low: 8, mode: 9, high: 14),
        .empirical([1, 2, 2, 5, 9]),
        .truncated(.normal(mean: 0, sd: 1), low: -0.5, high: 2),
    ]

    /// 24 checks at 4 SE (about 0.15% false failures if the SEs were exact; the
    /// variance's SE is estimated from fourth moments); swept over 100 seeds.
    @Test("Sample mean and variance within 4 standard errors of the closed forms", arguments: cases, TestSeeds.sweep)
    func moments(_ distribution: Distribution, offset: UInt64) throws {
        #expect(distribution.problems.isEmpty)
        let s = stream(9, seed: TestSeeds.seed(2026, offset))
        let draws = (0..<40_000).map { _ in distribution.sample(s) }
        let moments = SampleMoments(draws)
        let mean = try #require(distribution.mean)
        let variance = try #require(distribution.variance)
        #expect(abs(moments.mean - mean) < 4 * moments.meanSE, "mean \(moments.mean) vs \(mean)")
        #expect(abs(moments.variance - variance) < 4 * moments.varianceSE, "variance \(moments.variance) vs \(variance)")
    }

    @Test("lognormal(mean:sd:) has that mean and sd")
    func lognormalParametrisation() throws {
        let d = Distribution.lognormal(mean: 10, sd: 3)
        #expect(abs(try #require(d.mean) - 10) < 1e-12)
        #expect(abs(try #require(d.variance) - 9) < 1e-9)
    }

    @Test("Truncated draws stay inside the interval")
    func truncationBounds() {
        let d = Distribution.truncated(.gamma(shape: 2, scale: 3), low: 1, high: 4)
        let s = stream(3)
        #expect((0..<5_000).allSatisfy { _ in (1...4).contains(d.sample(s)) })
    }

    @Test("Invalid parameters are reported", arguments: [
        Distribution.normal(mean: 0, sd: -1), .gamma(shape: 0, scale: 1), .uniform(low: 2, high: 1),
        .triangular(low: 0, mode: 5, high: 3), .empirical([]), .exponential(mean: .nan),
        .truncated(.normal(mean: 0, sd: 1), low: 40, high: 50),
    ])
    func invalidParameters(_ distribution: Distribution) {
        #expect(!distribution.problems.isEmpty)
    }
}
