// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// Network hashrate that grows with hardware progress and follows the BTC price with
/// a lag, with mean-reverting noise around that target:
/// ```
/// target(t) = ln H0 + g t + e (ln P(t - L) - ln P0)
/// ln H(t + dt) = target(t + dt) + (ln H(t) - target(t)) e^(-kappa dt) + noise
/// ```
/// where the noise is the exact OU increment with volatility sigma. The price lag L is
/// applied by the caller, who passes the lagged log-price ratio (it owns the price path).
public struct NetworkHashrateProcess: Hashable, Sendable {
    public var initialHashrateEHs: Double
    /// Trend growth of ln H per year (0.35 ~ +42% a year).
    public var growthPerYear: Double
    /// Elasticity e of hashrate to the lagged BTC price.
    public var priceElasticity: Double
    /// Lag L of the response to price, in years (e.g. 0.25: new machines take a quarter).
    public var priceLagYears: Double
    /// Speed kappa at which hashrate closes the gap to its target, per year.
    public var adjustmentSpeed: Double
    public var volatility: Double

    public init(
        initialHashrateEHs: Double, growthPerYear: Double, priceElasticity: Double, priceLagYears: Double,
        adjustmentSpeed: Double, volatility: Double
    ) {
        precondition(initialHashrateEHs > 0 && adjustmentSpeed > 0 && volatility >= 0 && priceLagYears >= 0)
        self.initialHashrateEHs = initialHashrateEHs
        self.growthPerYear = growthPerYear
        self.priceElasticity = priceElasticity
        self.priceLagYears = priceLagYears
        self.adjustmentSpeed = adjustmentSpeed
        self.volatility = volatility
    }

    /// ln of the target hashrate at year `t` given ln(P(t - L) / P0).
    public func logTarget(atYear t: Double, laggedLogPriceRatio r: Double) -> Double {
        log(initialHashrateEHs) + growthPerYear * t + priceElasticity * r
    }

    /// Advances ln H from year `t` to `t + dt`.
    public func advance(
        logHashrate: Double, atYear t: Double, years dt: Double,
        laggedLogPriceRatioNow: Double, laggedLogPriceRatioNext: Double, z: Double
    ) -> Double {
        let gap = logHashrate - logTarget(atYear: t, laggedLogPriceRatio: laggedLogPriceRatioNow)
        let noise = OrnsteinUhlenbeck(meanReversion: adjustmentSpeed, longRunMean: 0, volatility: volatility)
        return logTarget(atYear: t + dt, laggedLogPriceRatio: laggedLogPriceRatioNext)
            + noise.advance(gap, years: dt, z: z)
    }

    /// The exact OU step of the noise around the target for a fixed `dt`. On a fixed
    /// grid the gap ln H - target is itself that OU process: a caller that steps the
    /// gap (gap' = decay gap + sd z) and adds the target gets the path of `advance`
    /// with one multiply-add a step (the site model's environment does).
    public func noiseStep(years dt: Double) -> OrnsteinUhlenbeck.ExactStep {
        OrnsteinUhlenbeck(meanReversion: adjustmentSpeed, longRunMean: 0, volatility: volatility).step(years: dt)
    }

    /// Hashrate path (EH/s) on the grid of `prices` (spacing `dt` years), the lag rounded
    /// to whole steps; before the lag has elapsed the price is taken as P0.
    public func path(following prices: [Double], years dt: Double, stream: RandomStream) -> [Double] {
        precondition(!prices.isEmpty && prices.allSatisfy { $0 > 0 }, "NetworkHashrateProcess: prices must be > 0")
        let lag = Int((priceLagYears / dt).rounded())
        let p0 = prices[0]
        func laggedRatio(_ i: Int) -> Double { i - lag >= 0 ? log(prices[i - lag] / p0) : 0 }
        var logH = log(initialHashrateEHs)
        var values = [initialHashrateEHs]
        values.reserveCapacity(prices.count)
        for i in 0..<(prices.count - 1) {
            logH = advance(
                logHashrate: logH, atYear: Double(i) * dt, years: dt,
                laggedLogPriceRatioNow: laggedRatio(i), laggedLogPriceRatioNext: laggedRatio(i + 1), z: stream.normal())
            values.append(exp(logH))
        }
        return values
    }
}
