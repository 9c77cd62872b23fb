// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// Network hashrate that answers profitability: it moves toward the level at which the
/// network's revenue just pays its cost of hashing, faster in than out.
/// ```
/// H*(t)  = R(t) / (24 e(t) c)                     EH/s
/// R(t)   = 144 (S(t) + F(t)) P(t - L)             USD/day (blocks x reward x lagged price)
/// e(t)   = e0 exp(-g t)                           J/TH, the efficiency frontier
/// c(t)   = c0 exp(gamma t)                        USD/MWh, all-in
/// d ln H = kappa_s (ln H* - ln H) dt + sigma dW,  kappa_s = entry if H < H*, exit if above
/// ```
/// c is the all-in cost of a MWh for the network's marginal fleet (power, opex and
/// machine cost per MWh), so that at H = H* the hashprice is its cost of hashing,
/// 0.024 e c USD per PH/s per day. A halving halves S: H* falls, the hashprice drops,
/// and exit brings the hashrate down toward the new H* (the hashprice recovers).
public struct ProfitabilityHashrate: Hashable, Sendable {
    /// Network efficiency at the start, J/TH, and its improvement per year.
    public var efficiencyJPerTH: Double
    public var efficiencyImprovementPerYear: Double
    /// All-in cost of the marginal fleet at the start, USD per MWh, and its growth a year.
    public var costUSDPerMWh: Double
    public var costGrowthPerYear = 0.0
    /// Speeds of entry (below H*) and exit (above), per year.
    public var entryPerYear: Double
    public var exitPerYear: Double
    /// Lag L of the response to price, in years.
    public var priceLagYears: Double
    public var volatility: Double

    public init(
        efficiencyJPerTH: Double, efficiencyImprovementPerYear: Double, costUSDPerMWh: Double, entryPerYear: Double,
        exitPerYear: Double, priceLagYears: Double, volatility: Double
    ) {
        self.efficiencyJPerTH = efficiencyJPerTH
        self.efficiencyImprovementPerYear = efficiencyImprovementPerYear
        self.costUSDPerMWh = costUSDPerMWh
        self.entryPerYear = entryPerYear
        self.exitPerYear = exitPerYear
        self.priceLagYears = priceLagYears
        self.volatility = volatility
    }

    /// Standard deviations of the parameters, for runs that draw them per path
    /// (estimation risk: each path's network has its own parameters; 0: known).
    public struct Uncertainty: Hashable, Sendable {
        public var costUSDPerMWh = 0.0
        public var costGrowthPerYear = 0.0
        public var efficiencyImprovementPerYear = 0.0
        /// The speeds: when entry and exit are equal (one fitted speed), one draw moves both.
        public var entryPerYear = 0.0
        public var exitPerYear = 0.0

        public init() {}

        public var isNone: Bool {
            costUSDPerMWh == 0 && costGrowthPerYear == 0 && efficiencyImprovementPerYear == 0 && entryPerYear == 0
                && exitPerYear == 0
        }
    }

    /// The parameters of one path: each uncertain one moved by its SD times a standard
    /// normal `z()` (drawn in a fixed order: cost, cost growth, efficiency improvement,
    /// entry, exit; a draw for each, whatever its SD, so paths stay aligned) and kept
    /// in its valid range (costs and speeds >= 0.01, rates within +-0.99).
    public func drawn(_ u: Uncertainty, z: () -> Double) -> ProfitabilityHashrate {
        guard !u.isNone else { return self }
        var p = self
        let shared = entryPerYear == exitPerYear
        let zCost = z()
        let zGrowth = z()
        let zEfficiency = z()
        let zEntry = z()
        let zExit = shared ? zEntry : z()
        p.costUSDPerMWh = max(0.01, costUSDPerMWh + u.costUSDPerMWh * zCost)
        p.costGrowthPerYear = min(0.99, max(-0.99, costGrowthPerYear + u.costGrowthPerYear * zGrowth))
        p.efficiencyImprovementPerYear = min(0.99, max(-0.99, efficiencyImprovementPerYear + u.efficiencyImprovementPerYear * zEfficiency))
        p.entryPerYear = max(0.01, entryPerYear + u.entryPerYear * zEntry)
        p.exitPerYear = max(0.01, exitPerYear + (shared && u.exitPerYear == 0 ? u.entryPerYear : u.exitPerYear) * zExit)
        return p
    }

    /// A copy with `change` applied.
    public func with(_ change: (inout ProfitabilityHashrate) -> Void) -> ProfitabilityHashrate {
        var copy = self
        change(&copy)
        return copy
    }

    /// ln(24 e(t) c(t)): the log cost per day of one EH/s at year `t`.
    public func logCostPerEHDay(atYear t: Double) -> Double {
        log(24 * efficiencyJPerTH * costUSDPerMWh) - (efficiencyImprovementPerYear - costGrowthPerYear) * t
    }

    /// The cost of hashing of the marginal fleet at year `t`, USD per PH/s per day:
    /// 0.024 e(t) c(t).
    public func hashCostUSDPerPHDay(atYear t: Double) -> Double {
        0.024 * efficiencyJPerTH * costUSDPerMWh * exp(-(efficiencyImprovementPerYear - costGrowthPerYear) * t)
    }

    /// The coefficients of a step of `dt` years: the gap to ln H* closes by
    /// 1 - e^(-kappa dt) (exact for the deterministic part, stable for any step), and
    /// the noise adds sigma sqrt(dt) z.
    public struct Step: Hashable, Sendable {
        public var entryShare: Double
        public var exitShare: Double
        public var noiseSD: Double
    }

    public func step(years dt: Double) -> Step {
        Step(entryShare: -expm1(-entryPerYear * dt), exitShare: -expm1(-exitPerYear * dt), noiseSD: volatility * dt.squareRoot())
    }

    /// ln H after one step, given the log revenue (USD/day, lagged price) and the log
    /// cost per EH/s-day at the step's start.
    @inline(__always)
    public func advance(logHashrate x: Double, logRevenue: Double, logCost: Double, step: Step, z: Double) -> Double {
        let gap = logRevenue - logCost - x
        return x + (gap > 0 ? step.entryShare : step.exitShare) * gap + step.noiseSD * z
    }
}
