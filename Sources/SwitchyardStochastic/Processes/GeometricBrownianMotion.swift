// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// Geometric Brownian motion `dS/S = mu dt + sigma dW`, sampled exactly:
/// ```
/// S(t + dt) = S(t) exp((mu - sigma^2/2) dt + sigma sqrt(dt) Z)
/// ```
/// Time in years; `drift` and `volatility` annualised.
public struct GeometricBrownianMotion: Hashable, Sendable {
    public var drift: Double
    public var volatility: Double

    public init(drift: Double, volatility: Double) {
        precondition(drift.isFinite && volatility.isFinite && volatility >= 0, "GBM: need finite drift, volatility >= 0")
        self.drift = drift
        self.volatility = volatility
    }

    /// The value after `dt` years given the standard normal shock `z`.
    public func advance(_ value: Double, years dt: Double, z: Double) -> Double {
        value * exp((drift - volatility * volatility / 2) * dt + volatility * dt.squareRoot() * z)
    }

    /// The exact transition over a fixed `dt` with its coefficients computed once.
    public func step(years dt: Double) -> ExactStep {
        ExactStep(logDrift: (drift - volatility * volatility / 2) * dt, logSD: volatility * dt.squareRoot())
    }

    /// S(t + dt) = S(t) exp(logDrift + logSD Z).
    public struct ExactStep: Hashable, Sendable {
        public let logDrift: Double
        public let logSD: Double

        @inline(__always)
        public func advance(_ value: Double, z: Double) -> Double { value * exp(logDrift + logSD * z) }
    }

    /// A path of `steps + 1` values (the start included) on a grid of `dt` years.
    public func path(from start: Double, steps: Int, years dt: Double, stream: RandomStream) -> [Double] {
        var values = [Double](repeating: start, count: steps + 1)
        for i in 0..<steps { values[i + 1] = advance(values[i], years: dt, z: stream.normal()) }
        return values
    }

    /// E[S(t)] = S0 e^(mu t).
    public func mean(from start: Double, years t: Double) -> Double { start * exp(drift * t) }

    /// Var[S(t)] = S0^2 e^(2 mu t) (e^(sigma^2 t) - 1).
    public func variance(from start: Double, years t: Double) -> Double {
        start * start * exp(2 * drift * t) * expm1(volatility * volatility * t)
    }
}
