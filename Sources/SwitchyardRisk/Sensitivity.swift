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

    /// A tornado: each input at its range from the scenario's `sensitivity.ranges`, or
    /// else at (1 - swing) and (1 + swing) times its value (the scenario's
    /// `sensitivity.swing` taking precedence over the argument); every variant on the
    /// same paths; bars ranked by swing (largest first; ties by name).
    public static func tornado(
        scenario: Scenario, settings: RiskSettings, swing: Double = 0.2,
        inputs: [SensitivityInput] = SensitivityInput.standard, progress: ((Int, Int) -> Void)? = nil
    ) throws(NonFiniteResult) -> [TornadoBar] {
        var bars: [TornadoBar] = []
        for (k, input) in inputs.enumerated() {
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
                input.set(&low, lowValue!)
                input.set(&high, highValue!)
                basis = "scenario range"
            } else if let base {
                lowValue = base * (1 - relative)
                highValue = base * (1 + relative)
                input.set(&low, lowValue!)
                input.set(&high, highValue!)
                basis = "-/+" + String(format: "%g", relative * 100) + "%"
            }
            var bar = TornadoBar(
                input: input.name, baseValue: base, lowValue: lowValue, highValue: highValue,
                meanNPVLowUSD: try meanNPV(scenario: low, settings: settings),
                meanNPVHighUSD: try meanNPV(scenario: high, settings: settings))
            bar.basis = basis
            bars.append(bar)
            progress?(k + 1, inputs.count)
        }
        return bars.sorted { $0.swingUSD != $1.swingUSD ? $0.swingUSD > $1.swingUSD : $0.input < $1.input }
    }

    /// Runs both scenarios on the same paths and summarises the paired difference.
    public static func compare(_ base: Scenario, with other: Scenario, settings: RiskSettings) throws(NonFiniteResult) -> Comparison {
        let a = try npvs(scenario: base, settings: settings)
        let b = try npvs(scenario: other, settings: settings)
        return Comparison(
            baseName: base.name, otherName: other.name, base: DistributionSummary(a), other: DistributionSummary(b),
            difference: DistributionSummary(zip(a, b).map { $1 - $0 }), betterCount: zip(a, b).filter { $1 > $0 }.count)
    }
}
