// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
public import SwitchyardModel

/// One scenario input a tornado can move.
public struct SensitivityInput: Sendable {
    public var name: String
    /// The input's value in a scenario (nil when the scenario does not have it).
    public var value: @Sendable (Scenario) -> Double?
    /// Sets the input to a value.
    public var set: @Sendable (inout Scenario, Double) -> Void

    public init(
        name: String, value: @escaping @Sendable (Scenario) -> Double?, set: @escaping @Sendable (inout Scenario, Double) -> Void
    ) {
        self.name = name
        self.value = value
        self.set = set
    }

    /// The key inputs of the domain. Each applies to every part of the scenario it names
    /// (e.g. all colocation prices); an input a scenario does not have is kept with
    /// value `nil` and swing zero.
    public static let standard: [SensitivityInput] = [
        SensitivityInput(name: "BTC price (initial)", value: { $0.bitcoin.initialPriceUSD }, set: { $0.bitcoin.initialPriceUSD = $1 }),
        SensitivityInput(name: "BTC drift", value: { $0.bitcoin.drift }, set: { $0.bitcoin.drift = $1 }),
        SensitivityInput(name: "BTC volatility", value: { $0.bitcoin.volatility }, set: { $0.bitcoin.volatility = $1 }),
        SensitivityInput(name: "network hashrate growth", value: { $0.bitcoin.hashrateGrowthPerYear }, set: { $0.bitcoin.hashrateGrowthPerYear = $1 }),
        SensitivityInput(name: "transaction fees", value: { $0.bitcoin.feesBTCPerBlock }, set: { $0.bitcoin.feesBTCPerBlock = $1 }),
        SensitivityInput(name: "market power price", value: { $0.electricity.market.basePriceUSDPerMWh }, set: { $0.electricity.market.basePriceUSDPerMWh = $1 }),
        SensitivityInput(name: "PPA price", value: { $0.electricity.ppaPriceUSDPerMWh }, set: { $0.electricity.ppaPriceUSDPerMWh = $1 }),
        SensitivityInput(name: "GPU rental price (initial)", value: { $0.gpuCloud?.initialPriceUSDPerGPUHour }, set: { s, v in
            guard let cloud = s.gpuCloud else { return }
            s.gpuCloud!.initialPriceUSDPerGPUHour = max(v, cloud.floorPriceUSDPerGPUHour)
        }),
        SensitivityInput(name: "AI demand (jobs per day)", value: { s in
            if case .poisson(let rate, _, _, _) = s.gpuCloud?.demand { return rate }
            return nil
        }, set: { s, v in
            if case .poisson(_, let sizes, let mean, let sd) = s.gpuCloud?.demand {
                s.gpuCloud!.demand = .poisson(jobsPerDay: v, gpusPerJob: sizes, meanHours: mean, sdHours: sd)
            }
        }),
        SensitivityInput(name: "colocation price", value: { s in
            if let lease = s.colocation.first { return lease.priceUSDPerKWMonth }
            for c in s.conversions { if case .colocation(let l) = c.target { return l.priceUSDPerKWMonth } }
            return nil
        }, set: { s, v in
            for i in s.colocation.indices { s.colocation[i].priceUSDPerKWMonth = v }
            for i in s.conversions.indices {
                if case .colocation(var l) = s.conversions[i].target {
                    l.priceUSDPerKWMonth = v
                    s.conversions[i].target = .colocation(l)
                }
            }
        }),
        SensitivityInput(name: "conversion capex", value: { $0.conversions.first?.capexUSDPerMW }, set: { s, v in
            for i in s.conversions.indices { s.conversions[i].capexUSDPerMW = v }
        }),
        SensitivityInput(name: "discount rate", value: { $0.discountRatePerYear }, set: { $0.discountRatePerYear = $1 }),
    ]
}

/// One bar of a tornado: mean NPV with the input at its low and high values.
public struct TornadoBar: Hashable, Sendable {
    public var input: String
    public var baseValue: Double?
    public var lowValue: Double?
    public var highValue: Double?
    public var meanNPVLowUSD: Double
    public var meanNPVHighUSD: Double
    /// |mean NPV(high) - mean NPV(low)|.
    public var swingUSD: Double { abs(meanNPVHighUSD - meanNPVLowUSD) }
}

/// The difference of two scenarios on the same paths.
public struct Comparison: Hashable, Sendable {
    public var baseName: String
    public var otherName: String
    public var base: DistributionSummary
    public var other: DistributionSummary
    /// Paired difference other - base, path by path.
    public var difference: DistributionSummary
}

extension RiskRunner {
    /// Mean NPV over the run's paths (same seed and path indices: common random numbers).
    public static func meanNPV(scenario: Scenario, settings: RiskSettings) -> Double {
        npvs(scenario: scenario, settings: settings).reduce(0, +) / Double(settings.paths)
    }

    static func npvs(scenario: Scenario, settings: RiskSettings) -> [Double] {
        var values: [Double] = []
        var first = 0
        while first < settings.paths {
            let count = min(settings.batchSize, settings.paths - first)
            values += runBatch(scenario: scenario, seed: settings.seed, first: first, count: count, threads: settings.threads) {
                $1.npvUSD
            }
            first += count
        }
        return values
    }

    /// A tornado: each input at (1 - swing) and (1 + swing) times its value, every
    /// variant on the same paths, bars ranked by swing (largest first; ties by name).
    public static func tornado(
        scenario: Scenario, settings: RiskSettings, swing: Double = 0.2,
        inputs: [SensitivityInput] = SensitivityInput.standard, progress: ((Int, Int) -> Void)? = nil
    ) -> [TornadoBar] {
        var bars: [TornadoBar] = []
        for (k, input) in inputs.enumerated() {
            let base = input.value(scenario)
            var low = scenario
            var high = scenario
            var lowValue: Double?
            var highValue: Double?
            if let base {
                lowValue = base * (1 - swing)
                highValue = base * (1 + swing)
                input.set(&low, lowValue!)
                input.set(&high, highValue!)
            }
            bars.append(
                TornadoBar(
                    input: input.name, baseValue: base, lowValue: lowValue, highValue: highValue,
                    meanNPVLowUSD: meanNPV(scenario: low, settings: settings),
                    meanNPVHighUSD: meanNPV(scenario: high, settings: settings)))
            progress?(k + 1, inputs.count)
        }
        return bars.sorted { $0.swingUSD != $1.swingUSD ? $0.swingUSD > $1.swingUSD : $0.input < $1.input }
    }

    /// Runs both scenarios on the same paths and summarises the paired difference.
    public static func compare(_ base: Scenario, with other: Scenario, settings: RiskSettings) -> Comparison {
        let a = npvs(scenario: base, settings: settings)
        let b = npvs(scenario: other, settings: settings)
        return Comparison(
            baseName: base.name, otherName: other.name, base: DistributionSummary(a), other: DistributionSummary(b),
            difference: DistributionSummary(zip(a, b).map { $1 - $0 }))
    }
}
