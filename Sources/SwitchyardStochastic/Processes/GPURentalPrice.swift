// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// GPU rental price (USD per GPU-hour) falling toward a floor, with mean-reverting
/// multiplicative noise:
/// ```
/// P(t) = floor + (P0 - floor) e^(-delta t) e^(X(t)),   dX = -kappa X dt + sigma dW
/// ```
/// The expected premium over the floor decays at `decayPerYear` (H100: about 8 USD in
/// 2023 to under 2 by late 2025 — see DOMAIN.md); the noise is sampled exactly.
public struct GPURentalPriceProcess: Hashable, Sendable {
    public var initialUSDPerGPUHour: Double
    public var floorUSDPerGPUHour: Double
    public var decayPerYear: Double
    public var noise: OrnsteinUhlenbeck

    public init(
        initialUSDPerGPUHour: Double, floorUSDPerGPUHour: Double, decayPerYear: Double,
        meanReversion: Double, volatility: Double
    ) {
        precondition(initialUSDPerGPUHour > 0 && floorUSDPerGPUHour >= 0 && decayPerYear >= 0)
        self.initialUSDPerGPUHour = initialUSDPerGPUHour
        self.floorUSDPerGPUHour = floorUSDPerGPUHour
        self.decayPerYear = decayPerYear
        self.noise = OrnsteinUhlenbeck(meanReversion: meanReversion, longRunMean: 0, volatility: volatility)
    }

    public func price(atYear t: Double, noise x: Double) -> Double {
        floorUSDPerGPUHour + (initialUSDPerGPUHour - floorUSDPerGPUHour) * exp(-decayPerYear * t + x)
    }

    public func path(steps: Int, years dt: Double, stream: RandomStream) -> [Double] {
        var x = 0.0
        var values = [initialUSDPerGPUHour]
        for i in stride(from: 1, through: steps, by: 1) {
            x = noise.advance(x, years: dt, z: stream.normal())
            values.append(price(atYear: Double(i) * dt, noise: x))
        }
        return values
    }
}
