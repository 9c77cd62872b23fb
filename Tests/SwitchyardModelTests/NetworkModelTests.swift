// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardEngine
import SwitchyardStochastic
import Testing

@testable import SwitchyardModel

/// The hashrate that answers profitability, played through the site model.
struct NetworkModelTests {
    /// The Texas site on a flat BTC price with a profitability network at break-even,
    /// the halving six months in.
    static func flatPriceSite() throws -> Scenario {
        var s = try ScenarioLoader.builtin("texas-200mw")
        s.horizonMonths = 24
        s.bitcoin.drift = 0
        s.bitcoin.volatility = 0
        s.bitcoin.feeLogVolatility = 0
        s.bitcoin.hashrateVolatility = 0
        s.bitcoin.hashratePriceLagYears = 0
        s.bitcoin.initialBlockHeight = 1_050_000 - 6 * 4_380  // 4,380 blocks a month at 10 minutes
        let model = ProfitabilityHashrate(
            efficiencyJPerTH: 20, efficiencyImprovementPerYear: 0, costUSDPerMWh: 40, entryPerYear: 4, exitPerYear: 4,
            priceLagYears: 0, volatility: 0)
        s.bitcoin.profitability = model
        // At break-even: H* = 144 (S + F) P / (24 e c).
        let revenue = 144 * (3.125 + s.bitcoin.feesBTCPerBlock) * s.bitcoin.initialPriceUSD
        s.bitcoin.initialHashrateEHs = revenue / (24 * 20 * 40)
        return s
    }

    @Test("After a halving on a flat BTC price the hashprice drops, then recovers to within 20% of the cost of hashing within 12 months")
    func halvingRecovery() throws {
        let s = try Self.flatPriceSite()
        let cost = s.bitcoin.profitability!.hashCostUSDPerPHDay(atYear: 0)  // 0.024 x 20 J/TH x 40 USD/MWh = 19.2
        #expect(abs(cost - 19.2) < 1e-9)
        let r = SiteModel.run(scenario: s, seed: 1, path: 0)
        let before = r.months[3].averageHashpriceUSDPerPHDay
        let after = r.months[7].averageHashpriceUSDPerPHDay  // the month after the halving
        let year = r.months[6 + 12].averageHashpriceUSDPerPHDay
        #expect(abs(before / cost - 1) < 0.05, "at break-even before the halving: \(before)")
        #expect(after < 0.75 * cost, "the halving cuts the hashprice: \(after)")
        #expect(abs(year / cost - 1) < 0.2, "12 months later: \(year) against \(cost)")
        #expect(r.months[18].averageNetworkHashrateEHs < 0.7 * r.months[3].averageNetworkHashrateEHs, "miners left")
        // The lag-and-trend model with no growth does not recover.
        var trend = s
        trend.bitcoin.profitability = nil
        trend.bitcoin.hashrateGrowthPerYear = 0
        trend.bitcoin.hashratePriceElasticity = 0
        let t = SiteModel.run(scenario: trend, seed: 1, path: 0)
        #expect(t.months[18].averageHashpriceUSDPerPHDay < 0.6 * cost)
    }
}

/// GPU demand arrives only while the cloud can serve it, and leaves after a maximum wait.
struct LostDemandTests {
    @Test("No backlog before the GPUs exist: jobs arriving then are lost demand")
    func noPreOpeningBacklog() throws {
        var s = try ScenarioLoader.builtin("small-miner-20mw")
        s.horizonMonths = 24
        s.gpuCloud!.gpus = 0  // the GPUs come with the conversion
        s.conversions[0].startMonth = 1
        s.conversions[0].leadTimeRisk = nil
        let r = SiteModel.run(scenario: s, seed: 3, path: 0)
        let lead = s.conversions[0].leadTimeMonths
        for row in r.months.prefix(lead) {
            #expect(row.jobsWaitingAtEnd == 0, "month \(row.month): a backlog before the cloud exists")
            #expect(row.jobsLost > 0, "month \(row.month): demand with nowhere to go is lost")
            #expect(row.gpuHoursBilled == 0)
        }
        #expect(r.months[lead + 1].gpuHoursBilled > 0, "the cloud serves jobs once its GPUs are in")
    }

    @Test("With maxWaitHours, no job waits longer and the ones that would are lost")
    func reneging() throws {
        var s = try ScenarioLoader.builtin("small-miner-20mw")
        s.horizonMonths = 6
        s.conversions = []
        s.gpuCloud!.maxWaitHours = 24
        s.gpuCloud!.demand = .poisson(jobsPerDay: 40, gpusPerJob: [64, 128], meanHours: 48, sdHours: 24)
        var simulation = Simulation<SiteModel.Event>()
        var model = SiteModel(scenario: s, seed: 5, path: 0, simulation: &simulation)
        simulation.run(&model, until: SimTime(hours: s.horizonHours))
        let result = model.result(eventsFired: simulation.eventsFired)
        let lost = result.months.reduce(0) { $0 + $1.jobsLost }
        #expect(lost > 0, "an overloaded cloud loses demand")
        for job in model.jobRecords {
            if let start = job.startHours { #expect(start - job.submitHours <= 24 + 1e-9) }
        }
        // Without a maximum wait, the same demand queues instead.
        s.gpuCloud!.maxWaitHours = nil
        let queued = SiteModel.run(scenario: s, seed: 5, path: 0)
        #expect(queued.months.reduce(0) { $0 + $1.jobsLost } == 0)
        #expect(queued.months.last!.jobsWaitingAtEnd > result.months.last!.jobsWaitingAtEnd)
    }
}
