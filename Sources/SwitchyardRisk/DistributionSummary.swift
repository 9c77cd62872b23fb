// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardStochastic

/// Summary statistics of one path-level quantity (e.g. NPV), computed exactly from all
/// path values.
public struct DistributionSummary: Hashable, Sendable, Codable {
    /// The percentiles reported, as probabilities.
    public static let levels = [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99]

    public var count: Int
    public var mean: Double
    public var standardDeviation: Double
    /// Standard error of the mean (independent paths).
    public var standardError: Double
    /// 95% confidence interval of the mean: mean +/- 1.96 SE.
    public var confidenceInterval95: ClosedRange<Double>
    /// Percentiles at ``levels``, Excel PERCENTILE.INC definition.
    public var percentiles: [Double]
    public var minimum: Double
    public var maximum: Double
    /// Value at risk at 95% and 99%: the loss at the 5% (1%) percentile, `-P5` (`-P1`).
    public var valueAtRisk95: Double
    public var valueAtRisk99: Double
    /// Conditional VaR (expected shortfall): minus the mean of the values at or below
    /// the 5% (1%) percentile.
    public var conditionalValueAtRisk95: Double
    public var conditionalValueAtRisk99: Double
    /// Share of values below zero.
    public var probabilityOfLoss: Double

    /// - Precondition: `values` is non-empty and has no NaN.
    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "DistributionSummary: no values")
        count = values.count
        let n = Double(values.count)
        mean = values.reduce(0, +) / n
        let m = mean
        let variance = values.count > 1 ? values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1) : 0
        standardDeviation = variance.squareRoot()
        standardError = (variance / n).squareRoot()
        // (A range needs ordered bounds: values so large that the sums overflow give
        // non-finite statistics, not a trap.)
        let (low, high) = (mean - 1.96 * standardError, mean + 1.96 * standardError)
        confidenceInterval95 = low <= high ? low...high : -Double.infinity...Double.infinity
        let extra = [0.01, 0.05]
        let all = Quantiles.percentiles(values, at: Self.levels + extra)
        percentiles = Array(all.prefix(Self.levels.count))
        let (p1, p5) = (all[Self.levels.count], all[Self.levels.count + 1])
        minimum = values.min()!
        maximum = values.max()!
        valueAtRisk95 = -p5
        valueAtRisk99 = -p1
        func shortfall(_ threshold: Double) -> Double {
            var total = 0.0
            var k = 0
            for v in values where v <= threshold {
                total += v
                k += 1
            }
            return k > 0 ? -total / Double(k) : -threshold
        }
        conditionalValueAtRisk95 = shortfall(p5)
        conditionalValueAtRisk99 = shortfall(p1)
        probabilityOfLoss = Double(values.filter { $0 < 0 }.count) / n
    }

    public func percentile(_ level: Double) -> Double? {
        Self.levels.firstIndex(of: level).map { percentiles[$0] }
    }
}
