// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardStochastic

/// The exogenous state of one path, advanced step by step. Each process draws from
/// its own stream keyed by (seed, path, process), so changing one process or the site's
/// decisions leaves the others' draws unchanged (common random numbers).
final class Environment {
    let scenario: Scenario
    let priceStream: RandomStream
    let feeStream: RandomStream
    let hashrateStream: RandomStream
    let powerStream: RandomStream
    let gpuStream: RandomStream

    let gbm: GeometricBrownianMotion
    let merton: MertonJumpDiffusion
    let feeNoise: OrnsteinUhlenbeck
    let network: NetworkHashrateProcess
    let power: ElectricityPriceProcess
    let gpuPrice: GPURentalPriceProcess?

    /// Current values (constant over the current step).
    private(set) var btcPriceUSD: Double
    private(set) var feesBTCPerBlock: Double
    private(set) var networkHashrateEHs: Double
    private(set) var marketPriceUSDPerMWh: Double
    private(set) var gpuPriceUSDPerGPUHour: Double

    private var feeDeviation = 0.0
    private var powerDeviation = 0.0
    private var gpuDeviation = 0.0
    private var logHashrate: Double
    /// ln(P / P0) at each past step, for the hashrate's price lag.
    private var logPriceHistory: [Double] = [0]
    private let lagSteps: Int

    init(scenario s: Scenario, seed: UInt64, path: UInt64) {
        scenario = s
        priceStream = RandomStream(seed: seed, path: path, process: .bitcoinPrice)
        feeStream = RandomStream(seed: seed, path: path, process: .transactionFees)
        hashrateStream = RandomStream(seed: seed, path: path, process: .networkHashrate)
        powerStream = RandomStream(seed: seed, path: path, process: .electricityPrice)
        gpuStream = RandomStream(seed: seed, path: path, process: .gpuRentalPrice)
        let b = s.bitcoin
        gbm = GeometricBrownianMotion(drift: b.drift, volatility: b.volatility)
        merton = MertonJumpDiffusion(
            drift: b.drift, volatility: b.volatility, jumpIntensity: b.jumpsPerYear, jumpLogMean: b.jumpLogMean,
            jumpLogSD: b.jumpLogSD)
        feeNoise = OrnsteinUhlenbeck(meanReversion: b.feeMeanReversionPerYear, longRunMean: 0, volatility: b.feeLogVolatility)
        network = NetworkHashrateProcess(
            initialHashrateEHs: b.initialHashrateEHs, growthPerYear: b.hashrateGrowthPerYear,
            priceElasticity: b.hashratePriceElasticity, priceLagYears: b.hashratePriceLagYears,
            adjustmentSpeed: b.hashrateAdjustmentPerYear, volatility: b.hashrateVolatility)
        let m = s.electricity.market
        power = ElectricityPriceProcess(
            basePriceUSDPerMWh: m.basePriceUSDPerMWh, seasonalAmplitude: m.seasonalAmplitude,
            seasonalPeak: m.seasonalPeak, meanReversion: m.meanReversionPerYear, volatility: m.volatility,
            spikeIntensity: m.spikesPerYear, spikeLogMean: m.spikeLogMean, spikeLogSD: m.spikeLogSD)
        gpuPrice = s.gpuCloud.map {
            GPURentalPriceProcess(
                initialUSDPerGPUHour: $0.initialPriceUSDPerGPUHour, floorUSDPerGPUHour: $0.floorPriceUSDPerGPUHour,
                decayPerYear: $0.priceDecayPerYear, meanReversion: $0.priceMeanReversionPerYear,
                volatility: $0.priceVolatility)
        }
        btcPriceUSD = b.initialPriceUSD
        feesBTCPerBlock = b.feesBTCPerBlock
        networkHashrateEHs = b.initialHashrateEHs
        logHashrate = log(b.initialHashrateEHs)
        lagSteps = Int((b.hashratePriceLagYears / (s.stepHours / 8_760)).rounded())
        marketPriceUSDPerMWh = power.price(atYear: 0, deviation: 0)
        gpuPriceUSDPerGPUHour = gpuPrice?.initialUSDPerGPUHour ?? 0
    }

    /// Advances every process from year `t` by `dt` years.
    func advance(fromYear t: Double, years dt: Double) {
        let b = scenario.bitcoin
        let zPrice = priceStream.normal()
        btcPriceUSD =
            b.priceModel == .gbm
            ? gbm.advance(btcPriceUSD, years: dt, z: zPrice)
            : merton.advance(btcPriceUSD, years: dt, z: zPrice, stream: priceStream)
        // Hashrate shocks correlated with price shocks (2x2 Cholesky).
        let rho = b.priceHashrateCorrelation
        let zHash = rho * zPrice + (1 - rho * rho).squareRoot() * hashrateStream.normal()
        let lagNow = lagged(logPriceHistory.count - 1)
        logPriceHistory.append(log(btcPriceUSD / b.initialPriceUSD))
        let lagNext = lagged(logPriceHistory.count - 1)
        logHashrate = network.advance(
            logHashrate: logHashrate, atYear: t, years: dt, laggedLogPriceRatioNow: lagNow,
            laggedLogPriceRatioNext: lagNext, z: zHash)
        networkHashrateEHs = exp(logHashrate)
        // Fees: mean-reverting log noise around the mean, mean-corrected (E[fee] = mean).
        feeDeviation = feeNoise.advance(feeDeviation, years: dt, z: feeStream.normal())
        feesBTCPerBlock = b.feesBTCPerBlock * exp(feeDeviation - feeNoise.stationaryVariance / 2)
        powerDeviation = power.advance(powerDeviation, years: dt, z: powerStream.normal(), stream: powerStream)
        marketPriceUSDPerMWh = power.price(atYear: t + dt, deviation: powerDeviation)
        if let gpuPrice {
            gpuDeviation = gpuPrice.noise.advance(gpuDeviation, years: dt, z: gpuStream.normal())
            gpuPriceUSDPerGPUHour = gpuPrice.price(atYear: t + dt, noise: gpuDeviation)
        }
    }

    private func lagged(_ index: Int) -> Double { index - lagSteps >= 0 ? logPriceHistory[index - lagSteps] : 0 }
}
