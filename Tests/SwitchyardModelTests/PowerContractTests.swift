// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardStochastic
import SwitchyardTestSupport
import Testing

@testable import SwitchyardModel

/// The PPA as a contract, demand response under programme rules, the 4CP charge, and a
/// power price whose configured mean is its mean.
struct PowerContractTests {
    /// The Texas site with nothing to run: every fleet retired (no mining), no leases,
    /// no conversion, no site opex and no value at the horizon.
    static func emptySite(horizon: Int) throws -> Scenario {
        var s = try ScenarioLoader.builtin("texas-200mw")
        s.horizonMonths = horizon
        s.mining = []
        s.conversions = []
        s.colocation = []
        s.gpuCloud = nil
        s.opex.fixedUSDPerMonth = 0
        s.valuation = Valuation()
        s.finance = FinanceTerms()
        s.electricity.transmission = nil
        return s
    }

    @Test("Contract for difference: with every fleet retired, the NPV is the discounted (market - strike) x volume over the term")
    func contractForDifference() throws {
        var s = try Self.emptySite(horizon: 30)
        s.electricity.ppa = Electricity.PPA(volume: .fixedMW(100), strikeUSDPerMWh: 30, startMonth: 4, termMonths: 20)
        let result = SiteModel.run(scenario: s, seed: 9, path: 2)
        let d = 1 / pow(1.12, 1.0 / 12)
        var expected = 0.0
        var negativeMonths = 0
        for row in result.months {
            let inTerm = row.month >= 4 && row.month < 24
            // The month's time-weighted market price, from the ledger's own average.
            let settlement = inTerm ? (row.averageMarketPowerPriceUSDPerMWh - 30) * 100 * Scenario.hoursPerMonth : 0
            if settlement < 0 { negativeMonths += 1 }
            #expect(abs(row.ppaSettlementUSD - settlement) <= 1e-9 * max(1, abs(settlement)), "month \(row.month)")
            expected += settlement * pow(d, Double(row.month))
            #expect(row.energyCostUSD == 0 && row.curtailmentCreditsUSD == 0)
        }
        #expect(negativeMonths > 0, "the strike must be above the market in some months")
        #expect(abs(result.npvUSD - expected) <= 1e-9 * abs(expected))
    }

    @Test("Physical share of load: nothing is paid or credited when the site draws nothing")
    func physicalShareOfNothing() throws {
        var s = try Self.emptySite(horizon: 12)
        s.electricity.ppa = Electricity.PPA(volume: .shareOfLoad(0.8), strikeUSDPerMWh: 30, startMonth: 1, termMonths: 12)
        let result = SiteModel.run(scenario: s, seed: 9, path: 2)
        #expect(result.npvUSD == 0)
    }

    @Test("Curtailment credits: paid on load that ran and was curtailed, never on idle or retired capacity")
    func creditsOnlyForCurtailedLoad() throws {
        var s = try ScenarioLoader.builtin("texas-200mw")
        s.horizonMonths = 24
        s.conversions = []
        s.electricity.ppa = nil
        s.electricity.ppaShare = 0.7
        s.electricity.ppaPriceUSDPerMWh = 25
        // BTC so cheap that no fleet earns even the typical power price: the fleets are
        // idle, not curtailed (the network kept where it is: a trend model with no trend,
        // where the profitability model would let miners leave until the rest earn).
        s.bitcoin.profitability = nil
        s.bitcoin.initialPriceUSD = 1_000
        let idle = SiteModel.run(scenario: s, seed: 4, path: 0)
        #expect(idle.months.allSatisfy { $0.curtailmentCreditsUSD == 0 && $0.curtailedEnergyMWh == 0 })
        #expect(idle.months.allSatisfy { $0.miningEnergyMWh == 0 || $0.averageMarketPowerPriceUSDPerMWh < 30 })
        // At a normal BTC price the fleets run and stop in price spikes: credits.
        s.bitcoin.initialPriceUSD = 95_000
        let running = SiteModel.run(scenario: s, seed: 4, path: 0)
        #expect(running.months.reduce(0) { $0 + $1.curtailmentCreditsUSD } > 0)
        // Availability payment: per MW of curtailable load (running or curtailed for price).
        s.electricity.demandResponseCreditUSDPerMWh = 0
        s.electricity.ppaShare = 0
        s.electricity.demandResponseAvailabilityUSDPerMWMonth = 1_000
        s.bitcoin.volatility = 0
        let available = SiteModel.run(scenario: s, seed: 4, path: 0)
        let fleetMW = s.mining.reduce(0.0) { $0 + Double($1.units) * $1.asic.powerW * 1.08 / 1e6 }
        #expect(abs(available.months[0].curtailmentCreditsUSD - 1_000 * fleetMW) <= 1e-6 * 1_000 * fleetMW)
    }

    @Test("4CP: the load in the highest-priced step of each peak month, at the annual rate over four months")
    func fourCoincidentPeaks() throws {
        var s = try ScenarioLoader.builtin("texas-200mw")
        s.horizonMonths = 12
        s.conversions = []
        s.electricity.transmission = Electricity.Transmission(usdPerKWYear: 60, peakMonths: [6, 7, 8, 9])
        // Mining that never curtails (BTC worth a fortune): the peak load is the whole fleet.
        s.bitcoin.initialPriceUSD = 1e9
        let always = SiteModel.run(scenario: s, seed: 2, path: 1)
        let fleetMW = s.mining.reduce(0.0) { $0 + Double($1.units) * $1.asic.powerW * 1.08 / 1e6 }
        for row in always.months {
            let peak = [6, 7, 8, 9].contains(row.month)  // the run starts in January
            let expected = peak ? 60 * fleetMW * 1_000 / 4 : 0
            #expect(abs(row.transmissionUSD - expected) <= 1e-6 * max(1, expected), "month \(row.month)")
        }
        // A site that curtails in price spikes avoids most of the charge.
        s.bitcoin.initialPriceUSD = 95_000
        let curtailing = SiteModel.run(scenario: s, seed: 2, path: 1)
        let paid = curtailing.months.reduce(0) { $0 + $1.transmissionUSD }
        #expect(paid < 0.5 * always.months.reduce(0) { $0 + $1.transmissionUSD })
    }

    @Test("The mean factor of the stepped power process against a long direct simulation of its recursion")
    func meanFactorMatchesRecursion() {
        let process = ElectricityPriceProcess(
            basePriceUSDPerMWh: 1, seasonalAmplitude: 0.2, seasonalPeak: 0.6, meanReversion: 180, volatility: 4,
            spikeIntensity: 25, spikeLogMean: 1.6, spikeLogSD: 0.5)
        // Without spikes and seasons the factor is exp(sigma^2 / (4 kappa)) exactly.
        let plain = ElectricityPriceProcess(basePriceUSDPerMWh: 1, meanReversion: 180, volatility: 4)
        #expect(abs(plain.meanFactor(stepYears: 6.0 / 8_760) - exp(16.0 / 720)) < 1e-14)
        // I0(0.2) = 1.0100250278 (tables).
        let seasonal = ElectricityPriceProcess(basePriceUSDPerMWh: 1, seasonalAmplitude: 0.2, meanReversion: 180, volatility: 0)
        #expect(abs(seasonal.meanFactor(stepYears: 6.0 / 8_760) - 1.0100250278) < 1e-9)
        #expect(process.meanFactor(stepYears: 6.0 / 8_760) > 1.3)
    }

    /// False-failure rate: one 4-SE check on a t(59) statistic, about 0.02% of seeds;
    /// swept over 100 seeds.
    @Test("A configured mean power price is the simulated long-run mean (within 4 SE over 15-year paths)", arguments: TestSeeds.sweep)
    func configuredMeanIsTheMean(offset: UInt64) throws {
        let seed = TestSeeds.seed(5, offset)
        var s = try ScenarioLoader.builtin("texas-200mw")
        s.horizonMonths = 180
        s.electricity.market.meanPriceUSDPerMWh = 28.9
        let paths = 60
        var means: [Double] = []
        for path in 0..<paths {
            var environment = Environment(scenario: s, seed: seed, path: UInt64(path))
            let steps = Int(s.horizonHours / s.stepHours)
            var total = environment.marketPriceUSDPerMWh
            for _ in 1..<steps {
                environment.advance()
                total += environment.marketPriceUSDPerMWh
            }
            means.append(total / Double(steps))
        }
        let mean = means.reduce(0, +) / Double(paths)
        let sd = (means.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(paths - 1)).squareRoot()
        let se = sd / Double(paths).squareRoot()
        #expect(abs(mean - 28.9) <= 4 * se, "simulated mean \(mean), SE \(se)")
        #expect(se < 0.5, "a test that can tell 28.9 from the old base-as-mean reading (~41)")
    }
}
