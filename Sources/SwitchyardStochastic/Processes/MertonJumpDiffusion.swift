// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// Merton's jump diffusion (Merton 1976):
/// ```
/// dS/S = (mu - lambda k) dt + sigma dW + (J - 1) dN,   ln J ~ N(muJ, sigmaJ^2),
/// k = E[J - 1] = exp(muJ + sigmaJ^2/2) - 1
/// ```
/// sampled exactly over a step: N ~ Poisson(lambda dt) jumps, whose log sizes sum to
/// N(N muJ, N sigmaJ^2). `drift` is the total expected return: E[S(t)] = S0 e^(mu t).
public struct MertonJumpDiffusion: Hashable, Sendable {
    public var drift: Double
    public var volatility: Double
    /// Expected jumps per year.
    public var jumpIntensity: Double
    public var jumpLogMean: Double
    public var jumpLogSD: Double

    public init(drift: Double, volatility: Double, jumpIntensity: Double, jumpLogMean: Double, jumpLogSD: Double) {
        precondition(volatility >= 0 && jumpIntensity >= 0 && jumpLogSD >= 0, "Merton: negative scale parameter")
        self.drift = drift
        self.volatility = volatility
        self.jumpIntensity = jumpIntensity
        self.jumpLogMean = jumpLogMean
        self.jumpLogSD = jumpLogSD
    }

    /// k = E[J] - 1.
    public var meanJumpReturn: Double { expm1(jumpLogMean + jumpLogSD * jumpLogSD / 2) }

    /// Drift of the log price per year: mu - lambda k - sigma^2/2.
    public var logDrift: Double { drift - jumpIntensity * meanJumpReturn - volatility * volatility / 2 }

    /// The value after `dt` years given the diffusion shock `z`; jumps come from `stream`.
    public func advance(_ value: Double, years dt: Double, z: Double, stream: RandomStream) -> Double {
        let jumps = stream.poisson(mean: jumpIntensity * dt)
        var logJump = 0.0
        if jumps > 0 {
            logJump = Double(jumps) * jumpLogMean + jumpLogSD * Double(jumps).squareRoot() * stream.normal()
        }
        return value * exp(logDrift * dt + volatility * dt.squareRoot() * z + logJump)
    }

    /// Advances the *log* price over a fixed step, with the jump count drawn by a
    /// precomputed sampler (`PoissonSampler(mean: jumpIntensity * dt)`).
    public func advanceLog(
        _ logValue: Double, years dt: Double, z: Double, jumps sampler: PoissonSampler, stream: RandomStream
    ) -> Double {
        let jumps = sampler.sample(stream)
        var logJump = 0.0
        if jumps > 0 {
            logJump = Double(jumps) * jumpLogMean + jumpLogSD * Double(jumps).squareRoot() * stream.normal()
        }
        return logValue + logDrift * dt + volatility * dt.squareRoot() * z + logJump
    }

    public func path(from start: Double, steps: Int, years dt: Double, stream: RandomStream) -> [Double] {
        var values = [Double](repeating: start, count: steps + 1)
        for i in 0..<steps { values[i + 1] = advance(values[i], years: dt, z: stream.normal(), stream: stream) }
        return values
    }

    /// E[S(t)] = S0 e^(mu t).
    public func mean(from start: Double, years t: Double) -> Double { start * exp(drift * t) }

    /// Var[S(t)] = E[S^2] - E[S]^2 with
    /// E[S^2] = S0^2 exp(2 (mu - lambda k) t + sigma^2 t + lambda t (e^(2 muJ + 2 sigmaJ^2) - 1)).
    public func variance(from start: Double, years t: Double) -> Double {
        let secondMoment = exp(
            2 * (drift - jumpIntensity * meanJumpReturn) * t + volatility * volatility * t
                + jumpIntensity * t * expm1(2 * jumpLogMean + 2 * jumpLogSD * jumpLogSD))
        return start * start * (secondMoment - exp(2 * drift * t))
    }

    /// Mean and variance of one log return over `dt` years.
    public func logReturnMoments(years dt: Double) -> (mean: Double, variance: Double) {
        let lambda = jumpIntensity * dt
        return (
            logDrift * dt + lambda * jumpLogMean,
            volatility * volatility * dt + lambda * (jumpLogSD * jumpLogSD + jumpLogMean * jumpLogMean)
        )
    }
}
