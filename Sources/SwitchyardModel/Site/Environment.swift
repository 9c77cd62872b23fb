// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardStochastic

/// The exogenous state of one path, advanced step by step. Each process draws from
/// its own stream keyed by (seed, path, process), so changing one process or the site's
/// decisions leaves the others' draws unchanged (common random numbers).
struct Environment {
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
    /// Exact-step coefficients for the fixed step (computed once).
    let dt: Double
    let gbmStep: GeometricBrownianMotion.ExactStep
    let feeStep: OrnsteinUhlenbeck.ExactStep
    let feeMeanCorrection: Double
    let hashrateStep: OrnsteinUhlenbeck.ExactStep
    let logInitialHashrate: Double
    let logInitialPrice: Double
    let powerStep: OrnsteinUhlenbeck.ExactStep
    let gpuStep: OrnsteinUhlenbeck.ExactStep?
    let jumpSampler: PoissonSampler
    let spikeSampler: PoissonSampler
    /// cos(2 pi (t - peak)) at each step of a year, when a year is a whole number of steps.
    let seasonalTable: [Double]
    /// Read every step (kept here rather than read through `scenario`).
    let priceIsGBM: Bool
    let priceHashrateCorrelation: Double
    let hashrateIndependentShare: Double
    let meanFeesBTCPerBlock: Double
    /// ln of the BTC price (the state; the price is its exponential).
    private var logBTCPrice: Double

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
    /// ln(P / P0) over the last `lagSteps + 1` steps (a ring), for the hashrate's lag.
    private var logPriceRing: [Double]
    private var stepsDone = 0
    /// stepsDone modulo the ring's and the seasonal table's lengths, kept by wrapping
    /// (an integer division per step costs more than the rest of the ring work).
    private var ringSlot = 0
    private var seasonSlot = 0
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
        dt = s.stepHours / 8_760
        gbmStep = gbm.step(years: dt)
        feeStep = feeNoise.step(years: dt)
        feeMeanCorrection = exp(-feeNoise.stationaryVariance / 2)
        hashrateStep = network.noiseStep(years: dt)
        logInitialHashrate = log(b.initialHashrateEHs)
        logInitialPrice = log(b.initialPriceUSD)
        powerStep = power.deviation.step(years: dt)
        gpuStep = gpuPrice?.noise.step(years: dt)
        jumpSampler = PoissonSampler(mean: b.jumpsPerYear * dt)
        spikeSampler = PoissonSampler(mean: m.spikesPerYear * dt)
        let stepsPerYear = 8_760 / s.stepHours
        if stepsPerYear == stepsPerYear.rounded() && m.seasonalAmplitude != 0 {
            seasonalTable = (0..<Int(stepsPerYear)).map { cos(2 * Double.pi * (Double($0) / stepsPerYear - m.seasonalPeak)) }
        } else {
            seasonalTable = []
        }
        logBTCPrice = log(b.initialPriceUSD)
        priceIsGBM = b.priceModel == .gbm
        priceHashrateCorrelation = b.priceHashrateCorrelation
        hashrateIndependentShare = (1 - b.priceHashrateCorrelation * b.priceHashrateCorrelation).squareRoot()
        meanFeesBTCPerBlock = b.feesBTCPerBlock
        btcPriceUSD = b.initialPriceUSD
        feesBTCPerBlock = b.feesBTCPerBlock
        networkHashrateEHs = b.initialHashrateEHs
        logHashrate = log(b.initialHashrateEHs)
        lagSteps = Int((b.hashratePriceLagYears / (s.stepHours / 8_760)).rounded())
        logPriceRing = [Double](repeating: 0, count: lagSteps + 1)
        marketPriceUSDPerMWh = power.price(atYear: 0, deviation: 0)
        gpuPriceUSDPerGPUHour = gpuPrice?.initialUSDPerGPUHour ?? 0
    }

    /// Advances every process from year `t` by one step.
    mutating func advance(fromYear t: Double) {
        let zPrice = priceStream.normal()
        logBTCPrice =
            priceIsGBM
            ? logBTCPrice + gbmStep.logDrift + gbmStep.logSD * zPrice
            : merton.advanceLog(logBTCPrice, years: dt, z: zPrice, jumps: jumpSampler, stream: priceStream)
        btcPriceUSD = exp(logBTCPrice)
        // Hashrate shocks correlated with price shocks (2x2 Cholesky).
        let zHash = priceHashrateCorrelation * zPrice + hashrateIndependentShare * hashrateStream.normal()
        // Step k's lagged ratio is ln(P/P0) at step k - lag (0 before the lag has passed).
        let lagNow = lagged()
        stepsDone += 1
        ringSlot = ringSlot + 1 == logPriceRing.count ? 0 : ringSlot + 1
        logPriceRing[ringSlot] = logBTCPrice - logInitialPrice
        let lagNext = lagged()
        logHashrate = network.advance(
            logHashrate: logHashrate, atYear: t, years: dt, laggedLogPriceRatioNow: lagNow,
            laggedLogPriceRatioNext: lagNext, z: zHash, noiseStep: hashrateStep, logInitial: logInitialHashrate)
        networkHashrateEHs = exp(logHashrate)
        // Fees: mean-reverting log noise around the mean, mean-corrected (E[fee] = mean).
        feeDeviation = feeStep.advance(feeDeviation, z: feeStream.normal())
        feesBTCPerBlock = meanFeesBTCPerBlock * exp(feeDeviation) * feeMeanCorrection
        powerDeviation = power.advance(
            powerDeviation, z: powerStream.normal(), step: powerStep, spikes: spikeSampler, stream: powerStream)
        if seasonalTable.isEmpty {
            marketPriceUSDPerMWh = power.price(atYear: t + dt, deviation: powerDeviation)
        } else {
            seasonSlot = seasonSlot + 1 == seasonalTable.count ? 0 : seasonSlot + 1
            let season = seasonalTable[seasonSlot]
            marketPriceUSDPerMWh = power.basePriceUSDPerMWh * exp(power.seasonalAmplitude * season + powerDeviation)
        }
        if let gpuPrice, let gpuStep {
            gpuDeviation = gpuStep.advance(gpuDeviation, z: gpuStream.normal())
            gpuPriceUSDPerGPUHour = gpuPrice.price(atYear: t + dt, noise: gpuDeviation)
        }
    }

    /// ln(P/P0) `lagSteps` steps before step `stepsDone` (0 before the lag has passed):
    /// with a ring of lagSteps + 1 slots, (stepsDone - lagSteps) and (stepsDone + 1)
    /// fall in the same slot, the one after the last written.
    private func lagged() -> Double {
        guard stepsDone >= lagSteps else { return 0 }
        return logPriceRing[ringSlot + 1 == logPriceRing.count ? 0 : ringSlot + 1]
    }
}
