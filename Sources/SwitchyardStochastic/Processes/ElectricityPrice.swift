// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// Power price: a mean-reverting log price with annual seasonality and spikes.
/// ```
/// ln P(t) = ln(base) + A cos(2 pi (t - peak)) + X(t)
/// dX = -kappa X dt + sigma dW + J dN,   J ~ N(muJ, sigmaJ^2),  N Poisson(lambda)
/// ```
/// (Lucia and Schwartz 2002; spikes as in Geman and Roncoroni 2006). The diffusion is
/// sampled exactly; spikes arriving within a step are added at its end and then decay
/// at the mean-reversion speed, so steps should be short against 1/kappa (hours to days).
public struct ElectricityPriceProcess: Hashable, Sendable {
    /// Seasonal base level, USD/MWh.
    public var basePriceUSDPerMWh: Double
    /// Amplitude A of the annual cycle in log price (0.1 = +-10%).
    public var seasonalAmplitude: Double
    /// Time of the seasonal peak, as a fraction of the year (0.55 ~ mid-July).
    public var seasonalPeak: Double
    public var deviation: OrnsteinUhlenbeck
    /// Spikes per year.
    public var spikeIntensity: Double
    public var spikeLogMean: Double
    public var spikeLogSD: Double

    public init(
        basePriceUSDPerMWh: Double, seasonalAmplitude: Double = 0, seasonalPeak: Double = 0.55,
        meanReversion: Double, volatility: Double,
        spikeIntensity: Double = 0, spikeLogMean: Double = 0, spikeLogSD: Double = 0
    ) {
        precondition(basePriceUSDPerMWh > 0, "ElectricityPriceProcess: base price must be > 0")
        self.basePriceUSDPerMWh = basePriceUSDPerMWh
        self.seasonalAmplitude = seasonalAmplitude
        self.seasonalPeak = seasonalPeak
        self.deviation = OrnsteinUhlenbeck(meanReversion: meanReversion, longRunMean: 0, volatility: volatility)
        self.spikeIntensity = spikeIntensity
        self.spikeLogMean = spikeLogMean
        self.spikeLogSD = spikeLogSD
    }

    /// The deterministic part f(t) of the log price.
    public func seasonalLogLevel(atYear t: Double) -> Double {
        log(basePriceUSDPerMWh) + seasonalAmplitude * cos(2 * Double.pi * (t - seasonalPeak))
    }

    /// Advances the deviation X over `dt` years with diffusion shock `z`.
    public func advance(_ x: Double, years dt: Double, z: Double, stream: RandomStream) -> Double {
        var next = deviation.advance(x, years: dt, z: z)
        if spikeIntensity > 0 {
            let spikes = stream.poisson(mean: spikeIntensity * dt)
            if spikes > 0 {
                next += Double(spikes) * spikeLogMean + spikeLogSD * Double(spikes).squareRoot() * stream.normal()
            }
        }
        return next
    }

    /// Advances the deviation with precomputed OU coefficients (`deviation.step(years: dt)`)
    /// and a spike-count sampler for the step (`PoissonSampler(mean: spikeIntensity * dt)`).
    public func advance(
        _ x: Double, z: Double, step: OrnsteinUhlenbeck.ExactStep, spikes sampler: PoissonSampler,
        stream: RandomStream
    ) -> Double {
        var next = step.advance(x, z: z)
        if spikeIntensity > 0 {
            let spikes = sampler.sample(stream)
            if spikes > 0 {
                next += Double(spikes) * spikeLogMean + spikeLogSD * Double(spikes).squareRoot() * stream.normal()
            }
        }
        return next
    }

    /// The price at year `t` for deviation `x`.
    public func price(atYear t: Double, deviation x: Double) -> Double { exp(seasonalLogLevel(atYear: t) + x) }

    /// E[P] / base: the long-run mean price, over a year and in the stationary state, of
    /// the process as stepped every `stepYears` (spikes added at the end of a step, then
    /// decaying by a = e^(-kappa dt) a step). With X = sum_k a^k (b Z_k + J_k):
    /// ```
    /// ln E[P]/base = ln I0(A) + sigma^2 / (4 kappa)
    ///              + lambda dt sum_{k>=0} (exp(muJ a^k + sigmaJ^2 a^(2k) / 2) - 1)
    /// ```
    /// where I0 is the modified Bessel function (the year's mean of e^(A cos)).
    public func meanFactor(stepYears dt: Double) -> Double {
        // I0(A) = sum_k ((A/2)^k / k!)^2.
        var bessel = 0.0
        var term = 1.0
        var k = 0.0
        while term > 1e-18 * bessel || k < 2 {
            bessel += term
            k += 1
            term *= (seasonalAmplitude / 2) * (seasonalAmplitude / 2) / (k * k)
            if k > 500 { break }
        }
        let kappa = deviation.meanReversion
        let sigma = deviation.volatility
        var logFactor = log(bessel) + sigma * sigma / (4 * kappa)
        if spikeIntensity > 0 {
            let a = exp(-kappa * dt)
            var weight = 1.0
            var sum = 0.0
            for _ in 0..<1_000_000 {
                let t = exp(spikeLogMean * weight + spikeLogSD * spikeLogSD * weight * weight / 2) - 1
                sum += t
                weight *= a
                if abs(t) < 1e-17 * max(1, abs(sum)) { break }
            }
            logFactor += spikeIntensity * dt * sum
        }
        return exp(logFactor)
    }

    /// Stationary mean and variance of X (spikes included, in the small-step limit):
    /// mean lambda muJ / kappa, variance (sigma^2 + lambda (muJ^2 + sigmaJ^2)) / (2 kappa).
    public var stationaryDeviationMoments: (mean: Double, variance: Double) {
        let kappa = deviation.meanReversion
        let sigma = deviation.volatility
        return (
            spikeIntensity * spikeLogMean / kappa,
            (sigma * sigma + spikeIntensity * (spikeLogMean * spikeLogMean + spikeLogSD * spikeLogSD)) / (2 * kappa)
        )
    }
}
