// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
public import SwitchyardModel

/// One bar of a tornado: mean NPV with the input at its low and high values.
public struct TornadoBar: Hashable, Sendable {
    public var input: String
    public var baseValue: Double?
    public var lowValue: Double?
    public var highValue: Double?
    public var meanNPVLowUSD: Double
    public var meanNPVHighUSD: Double
    /// How the low and high values were set: "scenario range" (`sensitivity.ranges`),
    /// "-/+20%" (the swing used), or "not in this scenario".
    public var basis = ""
    /// |mean NPV(high) - mean NPV(low)|.
    public var swingUSD: Double { abs(meanNPVHighUSD - meanNPVLowUSD) }
}

/// The difference of two scenarios on the same paths.
public struct Comparison: Hashable, Sendable {
    public var baseName: String
    public var otherName: String
    public var base: DistributionSummary
    public var other: DistributionSummary
    /// Paired difference other - base, path by path (its `probabilityOfLoss` is the
    /// share of paths on which `other` is worse).
    public var difference: DistributionSummary
    /// Paths on which `other` is strictly better.
    public var betterCount = 0
}

extension RiskRunner {
    /// Mean NPV over the run's paths (same seed and path indices: common random numbers).
    public static func meanNPV(scenario: Scenario, settings: RiskSettings) throws(NonFiniteResult) -> Double {
        try npvs(scenario: scenario, settings: settings).reduce(0, +) / Double(settings.paths)
    }

    static func npvs(scenario: Scenario, settings: RiskSettings) throws(NonFiniteResult) -> [Double] {
        try runBatch(scenario: scenario, seed: settings.seed, first: 0, count: settings.paths, threads: settings.threads) {
            $1.npvUSD
        }
    }

    /// One input of a tornado: its bar (values and basis, NPVs still zero) and the
    /// scenario with the input at its low and at its high value.
    public struct TornadoVariant: Sendable {
        public var bar: TornadoBar
        public var low: Scenario
        public var high: Scenario
    }

    /// The tornado's variants: each input at its range from the scenario's
    /// `sensitivity.ranges`, or else at (1 - swing) and (1 + swing) times its value (the
    /// scenario's `sensitivity.swing` taking precedence over the argument); an input the
    /// scenario does not have keeps the scenario as it is at both ends.
    public static func tornadoVariants(
        scenario: Scenario, swing: Double = 0.2, inputs: [SensitivityInput] = SensitivityInput.standard
    ) -> [TornadoVariant] {
        inputs.map { input in
            let base = input.value(scenario)
            var low = scenario
            var high = scenario
            var lowValue: Double?
            var highValue: Double?
            let relative = scenario.sensitivity.swing ?? swing
            var basis = "not in this scenario"
            if let range = scenario.sensitivity.ranges[input.name], base != nil {
                lowValue = range.lowerBound
                highValue = range.upperBound
                basis = "scenario range"
            } else if let base {
                lowValue = base * (1 - relative)
                highValue = base * (1 + relative)
                basis = "-/+" + String(format: "%g", relative * 100) + "%"
            }
            if let lowValue, let highValue {
                input.set(&low, lowValue)
                input.set(&high, highValue)
            }
            var bar = TornadoBar(
                input: input.name, baseValue: base, lowValue: lowValue, highValue: highValue, meanNPVLowUSD: 0, meanNPVHighUSD: 0)
            bar.basis = basis
            return TornadoVariant(bar: bar, low: low, high: high)
        }
    }

    /// The bars from the variants' mean NPVs (`means[k]`: low and high of variant k),
    /// ranked by swing (largest first; ties by name).
    public static func tornadoBars(_ variants: [TornadoVariant], means: [(low: Double, high: Double)]) -> [TornadoBar] {
        zip(variants, means).map { variant, mean in
            var bar = variant.bar
            bar.meanNPVLowUSD = mean.low
            bar.meanNPVHighUSD = mean.high
            return bar
        }.sorted { $0.swingUSD != $1.swingUSD ? $0.swingUSD > $1.swingUSD : $0.input < $1.input }
    }

    /// A tornado: each input at its low and high value (``tornadoVariants(scenario:swing:inputs:)``),
    /// every variant on the same paths; bars ranked by swing (largest first; ties by name).
    public static func tornado(
        scenario: Scenario, settings: RiskSettings, swing: Double = 0.2,
        inputs: [SensitivityInput] = SensitivityInput.standard, progress: ((Int, Int) -> Void)? = nil
    ) throws(NonFiniteResult) -> [TornadoBar] {
        let variants = tornadoVariants(scenario: scenario, swing: swing, inputs: inputs)
        var means: [(low: Double, high: Double)] = []
        for (k, variant) in variants.enumerated() {
            means.append((try meanNPV(scenario: variant.low, settings: settings), try meanNPV(scenario: variant.high, settings: settings)))
            progress?(k + 1, variants.count)
        }
        return tornadoBars(variants, means: means)
    }

    /// The NPVs of paths `first ..< first + count` under each scenario: `[path][scenario]`
    /// (a shard's share of a tornado or a comparison; each NPV is the bits the whole run
    /// gets for that path).
    public static func npvs(
        scenarios: [Scenario], seed: UInt64, first: Int, count: Int, threads: Int
    ) throws(NonFiniteResult) -> [[Double]] {
        guard !scenarios.isEmpty else { return [[Double]](repeating: [], count: count) }
        var byScenario: [[Double]] = []
        for s in scenarios {
            byScenario.append(try runBatch(scenario: s, seed: seed, first: first, count: count, threads: threads) { $1.npvUSD })
        }
        return (0..<count).map { p in byScenario.map { $0[p] } }
    }

    /// Runs both scenarios on the same paths and summarises the paired difference.
    public static func compare(_ base: Scenario, with other: Scenario, settings: RiskSettings) throws(NonFiniteResult) -> Comparison {
        comparison(baseName: base.name, otherName: other.name, base: try npvs(scenario: base, settings: settings),
                   other: try npvs(scenario: other, settings: settings))
    }

    /// The paired comparison of two scenarios' NPVs on the same paths (in path order).
    public static func comparison(baseName: String, otherName: String, base a: [Double], other b: [Double]) -> Comparison {
        Comparison(
            baseName: baseName, otherName: otherName, base: DistributionSummary(a), other: DistributionSummary(b),
            difference: DistributionSummary(zip(a, b).map { $1 - $0 }), betterCount: zip(a, b).filter { $1 > $0 }.count)
    }
}
