// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

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
        SensitivityInput(name: "market power price", value: { $0.electricity.market.level }, set: { $0.electricity.market.level = $1 }),
        SensitivityInput(name: "PPA price", value: { $0.electricity.ppa?.strikeUSDPerMWh ?? $0.electricity.ppaPriceUSDPerMWh }, set: { s, v in
            if s.electricity.ppa != nil { s.electricity.ppa!.strikeUSDPerMWh = v } else { s.electricity.ppaPriceUSDPerMWh = v }
        }),
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
