// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// The Ornstein-Uhlenbeck process `dX = kappa (theta - X) dt + sigma dW`, sampled exactly:
/// ```
/// X(t + dt) = theta + (X(t) - theta) e^(-kappa dt) + sigma sqrt((1 - e^(-2 kappa dt)) / (2 kappa)) Z
/// ```
/// Stationary law N(theta, sigma^2 / (2 kappa)). Time in years.
public struct OrnsteinUhlenbeck: Hashable, Sendable {
    /// Speed of mean reversion per year (half-life ln 2 / kappa).
    public var meanReversion: Double
    public var longRunMean: Double
    public var volatility: Double

    public init(meanReversion: Double, longRunMean: Double, volatility: Double) {
        precondition(meanReversion > 0 && volatility >= 0, "OU: need meanReversion > 0 and volatility >= 0")
        self.meanReversion = meanReversion
        self.longRunMean = longRunMean
        self.volatility = volatility
    }

    public func advance(_ x: Double, years dt: Double, z: Double) -> Double {
        let decay = exp(-meanReversion * dt)
        let sd = volatility * (-expm1(-2 * meanReversion * dt) / (2 * meanReversion)).squareRoot()
        return longRunMean + (x - longRunMean) * decay + sd * z
    }

    public func path(from start: Double, steps: Int, years dt: Double, stream: RandomStream) -> [Double] {
        var values = [Double](repeating: start, count: steps + 1)
        for i in 0..<steps { values[i + 1] = advance(values[i], years: dt, z: stream.normal()) }
        return values
    }

    public var stationaryVariance: Double { volatility * volatility / (2 * meanReversion) }

    /// The exact transition over a fixed `dt`, with its coefficients computed once
    /// (for simulations on a fixed grid: no `exp` per step).
    public func step(years dt: Double) -> ExactStep {
        ExactStep(
            longRunMean: longRunMean, decay: exp(-meanReversion * dt),
            sd: volatility * (-expm1(-2 * meanReversion * dt) / (2 * meanReversion)).squareRoot())
    }

    /// X(t + dt) = theta + (X(t) - theta) decay + sd Z.
    public struct ExactStep: Hashable, Sendable {
        public let longRunMean: Double
        public let decay: Double
        public let sd: Double

        @inline(__always)
        public func advance(_ x: Double, z: Double) -> Double { longRunMean + (x - longRunMean) * decay + sd * z }
    }
}
