// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardStochastic
import Synchronization

/// The exogenous state of one path, advanced step by step. Each process draws from
/// its own stream keyed by (seed, path, process), so changing one process or the site's
/// decisions leaves the others' draws unchanged (common random numbers).
///
/// Nothing the site does feeds back into these processes, so they are computed a block
/// of steps ahead (``refill()``), process by process, with the exponentials of a block
/// taken at once (``BlockExp``); ``advance()`` then reads the next step's values.
struct Environment {
    private(set) var priceStream: RandomStream
    private(set) var feeStream: RandomStream
    private(set) var hashrateStream: RandomStream
    private(set) var powerStream: RandomStream
    private(set) var gpuStream: RandomStream

    /// Gives this copy its own streams, in the state they are in (the copy of a path
    /// then draws what the original would, without touching the original's).
    mutating func detachStreams() {
        priceStream = priceStream.clone()
        feeStream = feeStream.clone()
        hashrateStream = hashrateStream.clone()
        powerStream = powerStream.clone()
        gpuStream = gpuStream.clone()
    }

    let gbm: GeometricBrownianMotion
    let merton: MertonJumpDiffusion
    let feeNoise: OrnsteinUhlenbeck
    /// The fees' log deviation: the OU noise plus spikes (an electricity-type process
    /// with no seasonality, base 1).
    let feeProcess: ElectricityPriceProcess
    let feeSpikeSampler: PoissonSampler
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
    /// The profitability model of the hashrate (nil: the lag-and-trend model), its step,
    /// ln H (its state), and the block height the step's subsidy is taken at (the chain
    /// at 10-minute blocks from the start: the environment runs ahead of the site).
    /// Replayed inputs, the value over each step (index k: [k dt, (k + 1) dt)); nil:
    /// the input is simulated. The same on every path; a replayed input draws nothing.
    let priceReplay: [Double]?
    let feesReplay: [Double]?
    let powerReplay: [Double]?
    let gpuReplay: [Double]?
    let profitability: ProfitabilityHashrate?
    let profitabilityStep: ProfitabilityHashrate.Step?
    private var logHashrate: Double
    let initialHeight: Int

    /// Current values (constant over the current step).
    private(set) var btcPriceUSD: Double
    private(set) var feesBTCPerBlock: Double
    private(set) var networkHashrateEHs: Double
    /// 1 / networkHashrateEHs (a step multiplies by it instead of dividing).
    private(set) var inverseNetworkHashrateEHs: Double
    private(set) var marketPriceUSDPerMWh: Double
    private(set) var gpuPriceUSDPerGPUHour: Double

    private var feeDeviation = 0.0
    private var powerDeviation = 0.0
    private var gpuDeviation = 0.0
    /// ln H minus its target (the OU part of the hashrate), at the last step computed.
    private var hashrateGap = 0.0
    /// ln(P / P0) over the last `lagSteps + 1` steps (a ring), for the hashrate's lag.
    private var logPriceRing: [Double]
    /// Steps computed so far (the hashrate's loop counts them).
    private var stepsDone = 0
    /// stepsDone modulo the ring's and the seasonal table's lengths, kept by wrapping
    /// (an integer division per step costs more than the rest of the ring work).
    private var ringSlot = 0
    private var seasonSlot = 0
    private let lagSteps: Int
    /// Steps to the horizon (blocks stop there), and the ticks' clock (hours) at the
    /// last step computed.
    private let plannedSteps: Int
    private var clockHours = 0.0
    private let stepHours: Double
    /// The block of steps computed ahead: the next value is at `cursor`.
    static let blockSize = 128
    private var cursor = 0
    private var blockLength = 0
    private var yearBlock: [Double]
    private var shockBlock: [Double]
    private var priceBlock: [Double]
    private var hashrateBlock: [Double]
    private var inverseHashrateBlock: [Double]
    private var feeFactorBlock: [Double]
    private var powerBlock: [Double]
    private var gpuBlock: [Double]

    init(scenario s: Scenario, seed: UInt64, path: UInt64) {
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
        feeProcess = ElectricityPriceProcess(
            basePriceUSDPerMWh: 1, meanReversion: b.feeMeanReversionPerYear, volatility: b.feeLogVolatility,
            spikeIntensity: b.feeSpikesPerYear, spikeLogMean: b.feeSpikeLogMean, spikeLogSD: b.feeSpikeLogSD)
        network = NetworkHashrateProcess(
            initialHashrateEHs: b.initialHashrateEHs, growthPerYear: b.hashrateGrowthPerYear,
            priceElasticity: b.hashratePriceElasticity, priceLagYears: b.hashratePriceLagYears,
            adjustmentSpeed: b.hashrateAdjustmentPerYear, volatility: b.hashrateVolatility)
        let m = s.electricity.market
        power = ElectricityPriceProcess(
            basePriceUSDPerMWh: m.processBase(stepHours: s.stepHours), seasonalAmplitude: m.seasonalAmplitude,
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
        // E[fee] = the mean: exp(-sigma^2 / (4 kappa)) without spikes, else the stepped
        // process's exact factor (``ElectricityPriceProcess/meanFactor(stepYears:)``).
        feeMeanCorrection =
            b.feeSpikesPerYear == 0 ? exp(-feeNoise.stationaryVariance / 2) : 1 / feeProcess.meanFactor(stepYears: dt)
        feeSpikeSampler = PoissonSampler(mean: b.feeSpikesPerYear * dt)
        hashrateStep = network.noiseStep(years: dt)
        logInitialHashrate = log(b.initialHashrateEHs)
        logInitialPrice = log(b.initialPriceUSD)
        powerStep = power.deviation.step(years: dt)
        gpuStep = gpuPrice?.noise.step(years: dt)
        jumpSampler = PoissonSampler(mean: b.jumpsPerYear * dt)
        spikeSampler = PoissonSampler(mean: m.spikesPerYear * dt)
        let stepsPerYear = 8_760 / s.stepHours
        if stepsPerYear == stepsPerYear.rounded() && m.seasonalAmplitude != 0 {
            seasonalTable = SeasonalTables.table(stepsPerYear: Int(stepsPerYear), peak: m.seasonalPeak)
        } else {
            seasonalTable = []
        }
        logBTCPrice = log(b.initialPriceUSD)
        let steps = Int((s.horizonHours / s.stepHours).rounded(.up)) + 1
        priceReplay = b.priceReplay?.stepValues(stepHours: s.stepHours, steps: steps)
        feesReplay = b.feesReplay?.stepValues(stepHours: s.stepHours, steps: steps)
        powerReplay = m.replay?.stepValues(stepHours: s.stepHours, steps: steps)
        gpuReplay = s.gpuCloud?.priceReplay?.stepValues(stepHours: s.stepHours, steps: steps)
        // Estimation risk: the path's own network parameters, on their own stream.
        let parameterStream = RandomStream(seed: seed, path: path, process: .parameters)
        let drawnNetwork = b.profitability?.drawn(b.networkUncertainty) { parameterStream.normal() }
        profitability = drawnNetwork
        profitabilityStep = drawnNetwork?.step(years: s.stepHours / 8_760)
        logHashrate = log(b.initialHashrateEHs)
        initialHeight = b.initialBlockHeight
        priceIsGBM = b.priceModel == .gbm
        priceHashrateCorrelation = b.priceHashrateCorrelation
        hashrateIndependentShare = (1 - b.priceHashrateCorrelation * b.priceHashrateCorrelation).squareRoot()
        meanFeesBTCPerBlock = b.feesBTCPerBlock
        btcPriceUSD = priceReplay?[0] ?? b.initialPriceUSD
        if let initial = b.initialFeesBTCPerBlock, b.feesBTCPerBlock > 0 {
            // The deviation at which the fee is the given one.
            feeDeviation = log(initial / (b.feesBTCPerBlock * feeMeanCorrection))
            feesBTCPerBlock = initial
        } else {
            feesBTCPerBlock = b.feesBTCPerBlock
        }
        if let feesReplay { feesBTCPerBlock = feesReplay[0] }
        networkHashrateEHs = b.initialHashrateEHs
        inverseNetworkHashrateEHs = 1 / b.initialHashrateEHs
        lagSteps = Int((b.hashratePriceLagYears / (s.stepHours / 8_760)).rounded())
        logPriceRing = [Double](repeating: 0, count: lagSteps + 1)
        marketPriceUSDPerMWh = powerReplay?[0] ?? power.price(atYear: 0, deviation: 0)
        gpuPriceUSDPerGPUHour = gpuReplay?[0] ?? gpuPrice?.initialUSDPerGPUHour ?? 0
        stepHours = s.stepHours
        plannedSteps = Int((s.horizonHours / s.stepHours).rounded(.up))
        let block = [Double](repeating: 0, count: Self.blockSize)
        yearBlock = block
        shockBlock = block
        priceBlock = block
        hashrateBlock = block
        inverseHashrateBlock = block
        feeFactorBlock = block
        powerBlock = block
        gpuBlock = gpuPrice == nil ? [] : block
    }

    /// Moves every process on by one step of the ticks' grid (the k-th call gives the
    /// values at k steps), reading them from the block computed ahead (``refill()``).
    @inline(__always)
    mutating func advance() {
        if cursor == blockLength { refill() }
        btcPriceUSD = priceBlock[cursor]
        networkHashrateEHs = hashrateBlock[cursor]
        inverseNetworkHashrateEHs = inverseHashrateBlock[cursor]
        feesBTCPerBlock = feesReplay == nil ? meanFeesBTCPerBlock * feeFactorBlock[cursor] * feeMeanCorrection : feeFactorBlock[cursor]
        marketPriceUSDPerMWh = powerBlock[cursor]
        if !gpuBlock.isEmpty { gpuPriceUSDPerGPUHour = gpuBlock[cursor] }
        cursor += 1
    }

    /// Computes the next `blockSize` steps of every process (fewer at the horizon).
    /// Each process draws from its own stream in the order stepping all of them
    /// together would, so the draws are those of a step-by-step run; a block keeps each
    /// recurrence in a tight loop and takes the exponentials of its steps at once.
    private mutating func refill() {
        let n = max(1, min(Self.blockSize, plannedSteps - stepsDone))
        // Step times: the ticks' clock adds the step each time, and so does this one.
        for j in 0..<n {
            clockHours += stepHours
            yearBlock[j] = (clockHours - stepHours) / 8_760
        }
        // The replays' index of the block's first step (the k-th step's values hold over
        // [k dt, (k + 1) dt)); clamped at the last step computed.
        let firstStep = stepsDone + 1
        func replayed(_ values: [Double], _ j: Int) -> Double { values[min(firstStep + j, values.count - 1)] }
        // BTC log price (its shocks are kept for the hashrate's correlated ones).
        var logPrice = logBTCPrice
        if let priceReplay {
            for j in 0..<n {
                logPrice = log(replayed(priceReplay, j))
                shockBlock[j] = 0
                priceBlock[j] = logPrice
            }
        }
        for j in 0..<(priceReplay == nil ? n : 0) {
            let z = priceStream.normal()
            logPrice =
                priceIsGBM
                ? logPrice + gbmStep.logDrift + gbmStep.logSD * z
                : merton.advanceLog(logPrice, years: dt, z: z, jumps: jumpSampler, stream: priceStream)
            shockBlock[j] = z
            priceBlock[j] = logPrice
        }
        logBTCPrice = logPrice
        // Fees: mean-reverting log noise around the mean, mean-corrected (E[fee] = mean).
        // (Before the hashrate, which a profitability model drives by the revenue.)
        if let feesReplay {
            for j in 0..<n { feeFactorBlock[j] = replayed(feesReplay, j) }
        } else {
            var fee = feeDeviation
            for j in 0..<n {
                fee = feeProcess.advance(fee, z: feeStream.normal(), step: feeStep, spikes: feeSpikeSampler, stream: feeStream)
                feeFactorBlock[j] = fee
            }
            feeDeviation = fee
        }
        if let profitability, let profitabilityStep {
            // ln H moves toward ln H* = ln R - ln(24 e(t) c), R = 144 (S + F) P(t - L).
            var x = logHashrate
            for j in 0..<n {
                let zHash = priceHashrateCorrelation * shockBlock[j] + hashrateIndependentShare * hashrateStream.normal()
                stepsDone += 1
                ringSlot = ringSlot + 1 == logPriceRing.count ? 0 : ringSlot + 1
                logPriceRing[ringSlot] = priceBlock[j] - logInitialPrice
                let t = yearBlock[j]
                let height = initialHeight + Int(t * 52_560)
                let fees = feesReplay == nil ? meanFeesBTCPerBlock * exp(feeFactorBlock[j]) * feeMeanCorrection : feeFactorBlock[j]
                let logRevenue = log(144 * (BitcoinProtocol.subsidyBTC(atHeight: height) + fees)) + logInitialPrice + lagged()
                x = profitability.advance(
                    logHashrate: x, logRevenue: logRevenue, logCost: profitability.logCostPerEHDay(atYear: t),
                    step: profitabilityStep, z: zHash)
                hashrateBlock[j] = x
            }
            logHashrate = x
        } else {
            trendHashrate(n)
        }
        finishBlock(n, firstStep: firstStep)
    }

    /// Hashrate by the lag-and-trend model: shocks correlated with the price's (2x2
    /// Cholesky), lagged price ratio. ln H = target + gap, the gap an OU process
    /// (NetworkHashrateProcess): carried as the state, it is one multiply-add a step;
    /// the target is ln H0 + g t + e * (lagged ln P/P0) at the step's end.
    private mutating func trendHashrate(_ n: Int) {
        var gap = hashrateGap
        let growth = network.growthPerYear
        let elasticity = network.priceElasticity
        for j in 0..<n {
            let zHash = priceHashrateCorrelation * shockBlock[j] + hashrateIndependentShare * hashrateStream.normal()
            // Step k ends at the lagged ratio ln(P/P0) of step k + 1 - lag (0 before it).
            stepsDone += 1
            ringSlot = ringSlot + 1 == logPriceRing.count ? 0 : ringSlot + 1
            logPriceRing[ringSlot] = priceBlock[j] - logInitialPrice
            gap = hashrateStep.advance(gap, z: zHash)
            hashrateBlock[j] = logInitialHashrate + growth * (yearBlock[j] + dt) + elasticity * lagged() + gap
        }
        hashrateGap = gap
    }

    /// Power and GPU prices of the block, then the exponentials.
    private mutating func finishBlock(_ n: Int, firstStep: Int) {
        // Power: ln price = ln base + seasonal term + deviation.
        var deviation = powerDeviation
        for j in 0..<(powerReplay == nil ? n : 0) {
            deviation = power.advance(deviation, z: powerStream.normal(), step: powerStep, spikes: spikeSampler, stream: powerStream)
            if seasonalTable.isEmpty {
                powerBlock[j] = power.seasonalLogLevel(atYear: yearBlock[j] + dt) + deviation
            } else {
                seasonSlot = seasonSlot + 1 == seasonalTable.count ? 0 : seasonSlot + 1
                powerBlock[j] = power.seasonalAmplitude * seasonalTable[seasonSlot] + deviation
            }
        }
        powerDeviation = deviation
        if let gpuPrice, let gpuStep, gpuReplay == nil {
            var x = gpuDeviation
            for j in 0..<n {
                x = gpuStep.advance(x, z: gpuStream.normal())
                gpuBlock[j] = gpuPrice.price(atYear: yearBlock[j] + dt, noise: x)
            }
            gpuDeviation = x
        }
        // The levels: exponentials of independent steps, a block at a time.
        func replayed(_ values: [Double], _ j: Int) -> Double { values[min(firstStep + j, values.count - 1)] }
        if let priceReplay {
            // The replayed values themselves, not exp(ln(value)).
            for j in 0..<n { priceBlock[j] = replayed(priceReplay, j) }
        } else {
            BlockExp.exponentiate(&priceBlock, count: n)
        }
        BlockExp.exponentiate(&hashrateBlock, count: n)
        for j in 0..<n { inverseHashrateBlock[j] = 1 / hashrateBlock[j] }
        if feesReplay == nil { BlockExp.exponentiate(&feeFactorBlock, count: n) }
        if let powerReplay {
            for j in 0..<n { powerBlock[j] = replayed(powerReplay, j) }
        } else {
            BlockExp.exponentiate(&powerBlock, count: n)
            if !seasonalTable.isEmpty {
                let base = power.basePriceUSDPerMWh
                for j in 0..<n { powerBlock[j] = base * powerBlock[j] }
            }
        }
        if let gpuReplay, !gpuBlock.isEmpty {
            for j in 0..<n { gpuBlock[j] = replayed(gpuReplay, j) }
        }
        blockLength = n
        cursor = 0
    }

    /// ln(P/P0) `lagSteps` steps before step `stepsDone` (0 before the lag has passed):
    /// with a ring of lagSteps + 1 slots, (stepsDone - lagSteps) and (stepsDone + 1)
    /// fall in the same slot, the one after the last written.
    private func lagged() -> Double {
        guard stepsDone >= lagSteps else { return 0 }
        return logPriceRing[ringSlot + 1 == logPriceRing.count ? 0 : ringSlot + 1]
    }
}

/// The seasonal cosine tables, computed once per (steps a year, peak) and shared by the
/// paths of a run (each path would otherwise evaluate 1,460 cosines for a 6-hour step).
enum SeasonalTables {
    private struct Key: Hashable {
        var stepsPerYear: Int
        var peak: Double
    }

    /// Kept small: a run uses one or two.
    private static let tables = Mutex<[Key: [Double]]>([:])

    /// cos(2 pi (k / stepsPerYear - peak)) for k = 0 ..< stepsPerYear.
    static func table(stepsPerYear: Int, peak: Double) -> [Double] {
        let key = Key(stepsPerYear: stepsPerYear, peak: peak)
        return tables.withLock { tables in
            if let table = tables[key] { return table }
            let steps = Double(stepsPerYear)
            let table = (0..<stepsPerYear).map { cos(2 * Double.pi * (Double($0) / steps - peak)) }
            if tables.count >= 16 { tables.removeAll() }
            tables[key] = table
            return table
        }
    }
}
