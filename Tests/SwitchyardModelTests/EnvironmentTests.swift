// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardStochastic
import Testing

@testable import SwitchyardModel

/// The site's environment computes its processes a block of steps ahead, with the
/// hashrate's gap stepped as an OU state and the exponentials taken by ``BlockExp``.
/// Here every step is checked against the stochastic module's processes stepped one at
/// a time, the obvious way, on the same streams.
struct EnvironmentTests {
    func relativeGap(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(a), abs(b), 1e-300) }

    @Test(
        "Block-computed environment equals the processes stepped one at a time",
        arguments: [("texas-200mw", 6.0), ("small-miner-20mw", 24.0), ("texas-200mw", 7.0), ("small-miner-20mw", 2.3)])
    func matchesStepByStep(name: String, stepHours: Double) throws {
        var s = try ScenarioLoader.builtin(name)
        s.stepHours = stepHours  // 7 h: no whole number of steps a year (no seasonal table)
        s.horizonMonths = 60
        let seed: UInt64 = 17
        let path: UInt64 = 4
        var environment = Environment(scenario: s, seed: seed, path: path)

        let b = s.bitcoin
        let m = s.electricity.market
        let dt = s.stepHours / 8_760
        let priceStream = RandomStream(seed: seed, path: path, process: .bitcoinPrice)
        let feeStream = RandomStream(seed: seed, path: path, process: .transactionFees)
        let hashrateStream = RandomStream(seed: seed, path: path, process: .networkHashrate)
        let powerStream = RandomStream(seed: seed, path: path, process: .electricityPrice)
        let gpuStream = RandomStream(seed: seed, path: path, process: .gpuRentalPrice)
        let merton = MertonJumpDiffusion(
            drift: b.drift, volatility: b.volatility, jumpIntensity: b.jumpsPerYear, jumpLogMean: b.jumpLogMean,
            jumpLogSD: b.jumpLogSD)
        let jumps = PoissonSampler(mean: b.jumpsPerYear * dt)
        let fees = OrnsteinUhlenbeck(meanReversion: b.feeMeanReversionPerYear, longRunMean: 0, volatility: b.feeLogVolatility)
        let feeStep = fees.step(years: dt)
        // Fees with spikes: the log deviation as an unseasonal electricity-type process.
        let feeProcess = ElectricityPriceProcess(
            basePriceUSDPerMWh: 1, meanReversion: b.feeMeanReversionPerYear, volatility: b.feeLogVolatility,
            spikeIntensity: b.feeSpikesPerYear, spikeLogMean: b.feeSpikeLogMean, spikeLogSD: b.feeSpikeLogSD)
        let feeSpikes = PoissonSampler(mean: b.feeSpikesPerYear * dt)
        let feeCorrection = b.feeSpikesPerYear == 0 ? exp(-fees.stationaryVariance / 2) : 1 / feeProcess.meanFactor(stepYears: dt)
        // The profitability network with this path's drawn parameters.
        let parameterStream = RandomStream(seed: seed, path: path, process: .parameters)
        let profitability = b.profitability?.drawn(b.networkUncertainty) { parameterStream.normal() }
        let profitabilityStep = profitability?.step(years: dt)
        let network = NetworkHashrateProcess(
            initialHashrateEHs: b.initialHashrateEHs, growthPerYear: b.hashrateGrowthPerYear,
            priceElasticity: b.hashratePriceElasticity, priceLagYears: b.hashratePriceLagYears,
            adjustmentSpeed: b.hashrateAdjustmentPerYear, volatility: b.hashrateVolatility)
        let lag = Int((b.hashratePriceLagYears / dt).rounded())
        let power = ElectricityPriceProcess(
            basePriceUSDPerMWh: m.processBase(stepHours: s.stepHours), seasonalAmplitude: m.seasonalAmplitude,
            seasonalPeak: m.seasonalPeak, meanReversion: m.meanReversionPerYear, volatility: m.volatility,
            spikeIntensity: m.spikesPerYear, spikeLogMean: m.spikeLogMean, spikeLogSD: m.spikeLogSD)
        let powerStep = power.deviation.step(years: dt)
        let spikes = PoissonSampler(mean: m.spikesPerYear * dt)
        let gpu = s.gpuCloud.map {
            GPURentalPriceProcess(
                initialUSDPerGPUHour: $0.initialPriceUSDPerGPUHour, floorUSDPerGPUHour: $0.floorPriceUSDPerGPUHour,
                decayPerYear: $0.priceDecayPerYear, meanReversion: $0.priceMeanReversionPerYear,
                volatility: $0.priceVolatility)
        }
        let gpuStep = gpu?.noise.step(years: dt)
        let rho = b.priceHashrateCorrelation

        var logPrice = log(b.initialPriceUSD)
        var ratios = [0.0]  // ln(P_k / P_0)
        var logHashrate = log(b.initialHashrateEHs)
        var feeDeviation = b.initialFeesBTCPerBlock.map { log($0 / (b.feesBTCPerBlock * feeCorrection)) } ?? 0
        var powerDeviation = 0.0
        var gpuDeviation = 0.0
        var worst = 0.0
        let steps = Int(Double(s.horizonMonths) * Scenario.hoursPerMonth / s.stepHours)
        for k in 1...steps {
            let t = Double(k - 1) * dt
            let zPrice = priceStream.normal()
            logPrice =
                b.priceModel == .gbm
                ? logPrice + (b.drift - b.volatility * b.volatility / 2) * dt + b.volatility * dt.squareRoot() * zPrice
                : merton.advanceLog(logPrice, years: dt, z: zPrice, jumps: jumps, stream: priceStream)
            ratios.append(logPrice - log(b.initialPriceUSD))
            let zHash = rho * zPrice + (1 - rho * rho).squareRoot() * hashrateStream.normal()
            func lagged(_ i: Int) -> Double { i - lag >= 0 ? ratios[i - lag] : 0 }
            feeDeviation = feeProcess.advance(feeDeviation, z: feeStream.normal(), step: feeStep, spikes: feeSpikes, stream: feeStream)
            let fee = b.feesBTCPerBlock * exp(feeDeviation) * feeCorrection
            if let profitability, let profitabilityStep {
                // ln H toward ln(R / (24 e c)), R = 144 (S + F) P(t - L): the subsidy at the
                // height of 10-minute blocks from the start.
                let height = b.initialBlockHeight + Int(t * 52_560)
                let logRevenue = log(144 * (BitcoinProtocol.subsidyBTC(atHeight: height) + fee)) + log(b.initialPriceUSD) + lagged(k)
                logHashrate = profitability.advance(
                    logHashrate: logHashrate, logRevenue: logRevenue, logCost: profitability.logCostPerEHDay(atYear: t),
                    step: profitabilityStep, z: zHash)
            } else {
                logHashrate = network.advance(
                    logHashrate: logHashrate, atYear: t, years: dt, laggedLogPriceRatioNow: lagged(k - 1),
                    laggedLogPriceRatioNext: lagged(k), z: zHash)
            }
            powerDeviation = power.advance(
                powerDeviation, z: powerStream.normal(), step: powerStep, spikes: spikes, stream: powerStream)
            environment.advance()

            let expected = [
                exp(logPrice), exp(logHashrate),
                fee,
                power.price(atYear: t + dt, deviation: powerDeviation),
            ]
            let actual = [
                environment.btcPriceUSD, environment.networkHashrateEHs, environment.feesBTCPerBlock,
                environment.marketPriceUSDPerMWh,
            ]
            for (a, e) in zip(actual, expected) { worst = max(worst, relativeGap(a, e)) }
            worst = max(worst, abs(environment.inverseNetworkHashrateEHs * environment.networkHashrateEHs - 1))
            if let gpu, let gpuStep {
                gpuDeviation = gpuStep.advance(gpuDeviation, z: gpuStream.normal())
                worst = max(
                    worst, relativeGap(environment.gpuPriceUSDPerGPUHour, gpu.price(atYear: t + dt, noise: gpuDeviation)))
            }
        }
        // Rounding only: sums of logs against products, a carried gap against a
        // recomputed one, table cosines against cos(t) (the log-levels reach ~30).
        #expect(steps > 1_000)
        #expect(worst < 1e-11, "worst relative difference \(worst) over \(steps) steps")
    }
}
