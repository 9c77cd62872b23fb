// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardRisk
import SwitchyardStochastic
import SwitchyardTestSupport
import Testing

/// Standard normal density and quantile (via the stochastic module's distributions).
func phi(_ z: Double) -> Double { exp(-z * z / 2) / (2 * Double.pi).squareRoot() }
func normalQuantile(_ p: Double) -> Double { Distribution.normal(mean: 0, sd: 1).quantile(p)! }

struct DistributionSummaryTests {
    static let n = 200_000

    /// 15 checks at 4 SE (false-failure rate about 1e-3 if independent; they are
    /// correlated, so less); swept over 100 seeds (docs/seed-sweep.md).
    @Test(
        "Normal sample: percentiles, VaR, CVaR, P(loss) and the mean within 4 standard errors of the closed forms",
        arguments: TestSeeds.sweep)
    func normal(offset: UInt64) throws {
        let (mu, sigma) = (0.5, 2.0)
        let s = RandomStream(seed: TestSeeds.seed(77, offset), path: 0, process: .auxiliary)
        let values = (0..<Self.n).map { _ in mu + sigma * s.normal() }
        let summary = DistributionSummary(values)
        let n = Double(Self.n)
        for (level, estimate) in zip(DistributionSummary.levels, summary.percentiles) {
            let z = normalQuantile(level)
            let exact = mu + sigma * z
            let se = (level * (1 - level) / n).squareRoot() * sigma / phi(z)
            #expect(abs(estimate - exact) < 4 * se, "P\(level): \(estimate) vs \(exact) (SE \(se))")
        }
        for alpha in [0.05, 0.01] {
            let z = normalQuantile(alpha)
            let q = mu + sigma * z
            // E[X | X <= q] and Var[X | X <= q] from the truncated normal's closed forms.
            let tail = Distribution.truncated(.normal(mean: mu, sd: sigma), low: -.infinity, high: q)
            let es = try #require(tail.mean)
            let tailVariance = try #require(tail.variance)
            #expect(abs(es - (mu - sigma * phi(z) / alpha)) < 1e-9)
            let se = ((tailVariance + (1 - alpha) * (q - es) * (q - es)) / (alpha * n)).squareRoot()
            let (varEstimate, cvarEstimate) =
                alpha == 0.05
                ? (summary.valueAtRisk95, summary.conditionalValueAtRisk95)
                : (summary.valueAtRisk99, summary.conditionalValueAtRisk99)
            let varSE = (alpha * (1 - alpha) / n).squareRoot() * sigma / phi(z)
            #expect(abs(varEstimate - -q) < 4 * varSE)
            #expect(abs(cvarEstimate - -es) < 4 * se, "CVaR\(alpha): \(cvarEstimate) vs \(-es) (SE \(se))")
        }
        let pLoss = Distribution.normal(mean: mu, sd: sigma).cdf(0)!
        #expect(abs(summary.probabilityOfLoss - pLoss) < 4 * (pLoss * (1 - pLoss) / n).squareRoot())
        #expect(abs(summary.mean - mu) < 4 * summary.standardError)
        // The 95% interval is the mean +/- 1.96 SE (a property, not a 95% event).
        #expect(abs(summary.confidenceInterval95.lowerBound - (summary.mean - 1.96 * summary.standardError)) < 1e-12 * abs(mu) + 1e-12)
        #expect(abs(summary.confidenceInterval95.upperBound - (summary.mean + 1.96 * summary.standardError)) < 1e-12 * abs(mu) + 1e-12)
    }

    /// 10 checks at 4 SE; swept over 100 seeds (docs/seed-sweep.md).
    @Test("Lognormal sample: percentiles and CVaR95 within 4 standard errors", arguments: TestSeeds.sweep)
    func lognormal(offset: UInt64) {
        let (mu, sigma) = (1.0, 0.6)
        let s = RandomStream(seed: TestSeeds.seed(78, offset), path: 0, process: .auxiliary)
        let values = (0..<Self.n).map { _ in exp(mu + sigma * s.normal()) }
        let summary = DistributionSummary(values)
        let n = Double(Self.n)
        for (level, estimate) in zip(DistributionSummary.levels, summary.percentiles) {
            let z = normalQuantile(level)
            let exact = exp(mu + sigma * z)
            let density = phi(z) / (exact * sigma)
            let se = (level * (1 - level) / n).squareRoot() / density
            #expect(abs(estimate - exact) < 4 * se, "P\(level)")
        }
        // E[X | X <= q_alpha] = e^(mu + sigma^2/2) Phi(z_alpha - sigma) / alpha.
        let alpha = 0.05
        let z = normalQuantile(alpha)
        let q = exp(mu + sigma * z)
        let es = exp(mu + sigma * sigma / 2) * Distribution.normal(mean: 0, sd: 1).cdf(z - sigma)! / alpha
        let tail = values.filter { $0 <= q }
        let tailMean = tail.reduce(0, +) / Double(tail.count)
        let tailVariance = tail.reduce(0) { $0 + ($1 - tailMean) * ($1 - tailMean) } / Double(tail.count - 1)
        let se = ((tailVariance + (1 - alpha) * (q - es) * (q - es)) / (alpha * n)).squareRoot()
        #expect(abs(summary.conditionalValueAtRisk95 - -es) < 4 * se)
    }

    @Test("Streaming P-square quantiles approach the exact sample quantiles")
    func streamingQuantiles() {
        let s = RandomStream(seed: 79, path: 0, process: .auxiliary)
        let values = (0..<20_000).map { _ in s.normal() }
        for p in [0.05, 0.5, 0.95] {
            let estimator = StreamingQuantile(probability: p)
            for v in values { estimator.add(v) }
            let exact = Quantiles.percentiles(values, at: [p])[0]
            // Sampling SE of the quantile is ~0.015 at the tails here; P-square stays well inside it.
            #expect(abs(estimator.value - exact) < 0.02, "p=\(p): \(estimator.value) vs \(exact)")
        }
    }
}
