// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// One scenario input a tornado can move.
public struct SensitivityInput: Sendable {
    public var name: String
    /// The input's value in a scenario (nil when the scenario does not have it).
    public var value: @Sendable (Scenario) -> Double?
    /// Sets the input to a value.
    public var set: @Sendable (inout Scenario, Double) -> Void
    /// The values the scenario's own field accepts (a tornado range outside is refused).
    public var valid: ClosedRange<Double> = -1e12...1e12

    public init(
        name: String, value: @escaping @Sendable (Scenario) -> Double?, set: @escaping @Sendable (inout Scenario, Double) -> Void
    ) {
        self.name = name
        self.value = value
        self.set = set
    }

    func valid(_ range: ClosedRange<Double>) -> SensitivityInput {
        var copy = self
        copy.valid = range
        return copy
    }

    /// The key inputs of the domain. Each applies to every part of the scenario it names
    /// (e.g. all colocation prices); an input a scenario does not have (or replays from a
    /// file: it does not move) is kept with value `nil` and swing zero.
    public static let standard: [SensitivityInput] = [
        SensitivityInput(name: "BTC price (initial)", value: { $0.bitcoin.priceReplay == nil ? $0.bitcoin.initialPriceUSD : nil }, set: { $0.bitcoin.initialPriceUSD = $1 }).valid(1e-6...1e12),
        SensitivityInput(name: "BTC drift", value: { $0.bitcoin.priceReplay == nil ? $0.bitcoin.drift : nil }, set: { $0.bitcoin.drift = $1 }).valid(-2...2),
        SensitivityInput(name: "BTC volatility", value: { $0.bitcoin.priceReplay == nil ? $0.bitcoin.volatility : nil }, set: { $0.bitcoin.volatility = $1 }).valid(0...5),
        SensitivityInput(name: "network hashrate growth", value: { $0.bitcoin.hashrateGrowthPerYear }, set: { $0.bitcoin.hashrateGrowthPerYear = $1 }).valid(-1...3),
        SensitivityInput(name: "transaction fees", value: { $0.bitcoin.feesReplay == nil ? $0.bitcoin.feesBTCPerBlock : nil }, set: { $0.bitcoin.feesBTCPerBlock = $1 }).valid(0...100),
        SensitivityInput(name: "market power price", value: { $0.electricity.market.replay == nil ? $0.electricity.market.level : nil }, set: { $0.electricity.market.level = $1 }).valid(0.01...10_000),
        SensitivityInput(name: "PPA price", value: { $0.electricity.ppa?.strikeUSDPerMWh ?? $0.electricity.ppaPriceUSDPerMWh }, set: { s, v in
            if s.electricity.ppa != nil { s.electricity.ppa!.strikeUSDPerMWh = v } else { s.electricity.ppaPriceUSDPerMWh = v }
        }).valid(-1_000...10_000),
        SensitivityInput(name: "GPU rental price (initial)", value: { $0.gpuCloud?.priceReplay == nil ? $0.gpuCloud?.initialPriceUSDPerGPUHour : nil }, set: { s, v in
            guard let cloud = s.gpuCloud else { return }
            s.gpuCloud!.initialPriceUSDPerGPUHour = max(v, cloud.floorPriceUSDPerGPUHour)
        }).valid(0.0001...1_000),
        SensitivityInput(name: "AI demand (jobs per day)", value: { s in
            if case .poisson(let rate, _, _, _) = s.gpuCloud?.demand { return rate }
            return nil
        }, set: { s, v in
            if case .poisson(_, let sizes, let mean, let sd) = s.gpuCloud?.demand {
                s.gpuCloud!.demand = .poisson(jobsPerDay: v, gpusPerJob: sizes, meanHours: mean, sdHours: sd)
            }
        }).valid(0.000001...10_000),
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
        }).valid(0.01...100_000),
        SensitivityInput(name: "conversion capex", value: { $0.conversions.first?.capexUSDPerMW }, set: { s, v in
            for i in s.conversions.indices { s.conversions[i].capexUSDPerMW = v }
        }).valid(0...1e9),
        SensitivityInput(name: "discount rate", value: { $0.discountRatePerYear }, set: { $0.discountRatePerYear = $1 }).valid(-0.5...1),
        SensitivityInput(name: "colocation opex", value: { s in
            switch s.finance.colocationOpex {
            case .shareOfRent(let share)?: share
            case .usdPerKWMonth(let rate)?: rate
            case nil: nil
            }
        }, set: { s, v in
            switch s.finance.colocationOpex {
            case .shareOfRent?: s.finance.colocationOpex = .shareOfRent(min(1, max(0, v)))
            case .usdPerKWMonth?: s.finance.colocationOpex = .usdPerKWMonth(max(0, v))
            case nil: break
            }
        }).valid(0...10_000),
        SensitivityInput(name: "tax rate", value: { $0.finance.tax?.rate }, set: { s, v in
            if s.finance.tax != nil { s.finance.tax!.rate = min(0.9, max(0, v)) }
        }).valid(0...0.9),
        SensitivityInput(name: "interest rate", value: { $0.finance.debt?.ratePerYear }, set: { s, v in
            if s.finance.debt != nil { s.finance.debt!.ratePerYear = max(0, v) }
        }).valid(0...1),
        SensitivityInput(name: "tenant default", value: { s in
            if let lease = s.colocation.first(where: { $0.defaultPerYear > 0 }) { return lease.defaultPerYear }
            for c in s.conversions { if case .colocation(let l) = c.target, l.defaultPerYear > 0 { return l.defaultPerYear } }
            return nil
        }, set: { s, v in
            for i in s.colocation.indices where s.colocation[i].defaultPerYear > 0 { s.colocation[i].defaultPerYear = max(0, v) }
            for i in s.conversions.indices {
                if case .colocation(var l) = s.conversions[i].target, l.defaultPerYear > 0 {
                    l.defaultPerYear = max(0, v)
                    s.conversions[i].target = .colocation(l)
                }
            }
        }).valid(0...10),
        SensitivityInput(name: "capex overrun", value: { s in
            // The most likely overrun (the mode of the range) of the first conversion.
            switch s.conversions.first?.capexFactorRisk {
            case .pert(_, let mode, _)?, .triangular(_, let mode, _)?: mode - 1
            default: nil
            }
        }, set: { s, v in
            // Shifts every conversion's overrun range so that its mode is v.
            for i in s.conversions.indices {
                switch s.conversions[i].capexFactorRisk {
                case .pert(let l, let m, let h)?:
                    let shift = 1 + v - m
                    s.conversions[i].capexFactorRisk = .pert(low: max(0.01, l + shift), mode: max(0.01, m + shift), high: max(0.02, h + shift))
                case .triangular(let l, let m, let h)?:
                    let shift = 1 + v - m
                    s.conversions[i].capexFactorRisk = .triangular(low: max(0.01, l + shift), mode: max(0.01, m + shift), high: max(0.02, h + shift))
                default: break
                }
            }
        }).valid(-0.9...10),
        SensitivityInput(name: "GPU purchase price", value: { $0.gpuCloud?.gpu.priceUSD }, set: { s, v in
            if s.gpuCloud != nil { s.gpuCloud!.gpu.priceUSD = max(0, v) }
        }).valid(0...1e9),
    ]
}
