// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardStochastic

/// An optimal-stopping problem on simulated paths: at each decision date 1...dates a
/// path may stop and receive `payoff(path, date)`; continuing is worth the discounted
/// future. The state seen by the decision is `basis(path, date)`, a short vector of
/// regressors (e.g. polynomials of the price).
public struct StoppingProblem {
    public var paths: Int
    public var dates: Int
    /// Discount factor from one date to the previous one.
    public var discountPerDate: Double
    /// Immediate payoff of stopping on `path` at `date` (1-based).
    public var payoff: (_ path: Int, _ date: Int) -> Double
    /// Regressors of the state of `path` at `date`, including the constant.
    public var basis: (_ path: Int, _ date: Int) -> [Double]
    /// Which (path, date) states may stop; the continuation regression uses exactly
    /// these states. Default: where stopping pays (Longstaff and Schwartz's choice for
    /// options). States outside the region never stop at that date.
    public var decisionRegion: (_ path: Int, _ date: Int) -> Bool
    /// Decide on a *fitted* stopping value too: when the payoff of stopping is itself
    /// an uncertain future (a conversion's value), comparing its realised value would
    /// use the path's future. The cash flows recorded stay realised.
    public var regressPayoff = false
    /// Paths 2k and 2k + 1 are antithetic twins (one drawn with Z, the other with -Z):
    /// the standard error is then taken over the pairs' means, the independent units
    /// (over single paths it would be overstated when the twins are negatively
    /// correlated, as for puts and calls).
    public var antitheticPairs = false

    public init(
        paths: Int, dates: Int, discountPerDate: Double,
        payoff: @escaping (Int, Int) -> Double, basis: @escaping (Int, Int) -> [Double],
        decisionRegion: ((Int, Int) -> Bool)? = nil
    ) {
        precondition(paths > 0 && dates > 0 && discountPerDate > 0)
        self.paths = paths
        self.dates = dates
        self.discountPerDate = discountPerDate
        self.payoff = payoff
        self.basis = basis
        self.decisionRegion = decisionRegion ?? { payoff($0, $1) > 0 }
    }
}

/// The fitted stopping rule and its value on the paths it was fitted to.
public struct StoppingSolution: Sendable {
    /// Continuation-value regression coefficients by date (index 0 = date 1); nil where
    /// there were too few paths to regress (no stopping there).
    public var coefficients: [[Double]?]
    /// Stopping-value regression coefficients by date, with `regressPayoff`.
    public var payoffCoefficients: [[Double]?] = []
    /// Mean over paths of the discounted payoff at the chosen stopping date, at date 0.
    public var value: Double
    /// Standard error of `value`: over the paths, or over antithetic pairs' means
    /// (``StoppingProblem/antitheticPairs``).
    public var standardError: Double
    /// The date each path stops (nil: never).
    public var stoppingDates: [Int?]
    /// Each path's payoff at its stopping date, discounted to date 0 (0 if it never stops).
    public var discountedPayoffs: [Double]

    /// The fitted exercise region at `date` of a one-dimensional state, within `range`:
    /// every interval where payoff(x) > 0 and payoff(x) >= continuation(x), found on a
    /// grid of `steps` points and each end refined by bisection. Empty when no state in
    /// the range stops (or the date had no regression). An interval touching an end of
    /// `range` may go on beyond it.
    public func exerciseRegion(
        date: Int, in range: ClosedRange<Double>, steps: Int = 2_000, payoff: (Double) -> Double, basis: (Double) -> [Double]
    ) -> [ClosedRange<Double>] {
        guard date >= 1, date <= coefficients.count, coefficients[date - 1] != nil, steps > 0 else { return [] }
        func stops(_ x: Double) -> Bool { payoff(x) > 0 && payoff(x) >= continuation(date: date, basis(x))! }
        /// The switch point between a and b (stops(a) != stops(b)).
        func edge(_ a: Double, _ b: Double) -> Double {
            var (inside, outside) = stops(a) ? (a, b) : (b, a)
            for _ in 0..<60 {
                let mid = (inside + outside) / 2
                if stops(mid) { inside = mid } else { outside = mid }
            }
            return inside
        }
        var intervals: [ClosedRange<Double>] = []
        var start: Double? = stops(range.lowerBound) ? range.lowerBound : nil
        var previous = range.lowerBound
        for k in 1...steps {
            let x = range.lowerBound + (range.upperBound - range.lowerBound) * Double(k) / Double(steps)
            let now = stops(x)
            if now && start == nil { start = edge(previous, x) }
            if !now, let first = start {
                intervals.append(first...max(first, edge(previous, x)))
                start = nil
            }
            previous = x
        }
        if let first = start { intervals.append(first...range.upperBound) }
        return intervals
    }

    /// Where stopping starts for a one-dimensional state whose fitted exercise region
    /// is one interval: its lower end (the boundary of a call-like problem: stop at or
    /// above it). Nil when no state in `range` stops, or when the region is not one
    /// interval (see ``exerciseRegion(date:in:steps:payoff:basis:)`` for all of them).
    public func boundary(
        date: Int, in range: ClosedRange<Double>, payoff: (Double) -> Double, basis: (Double) -> [Double]
    ) -> Double? {
        let region = exerciseRegion(date: date, in: range, payoff: payoff, basis: basis)
        return region.count == 1 ? region[0].lowerBound : nil
    }

    /// The fitted continuation value at `date` for regressors `x`.
    public func continuation(date: Int, _ x: [Double]) -> Double? {
        guard let c = coefficients[date - 1] else { return nil }
        return zip(c, x).reduce(0) { $0 + $1.0 * $1.1 }
    }
}

/// Least-squares Monte Carlo (Longstaff and Schwartz, "Valuing American options by
/// simulation: a simple least-squares approach", RFS 2001).
///
/// Backward from the last date: on the paths where stopping pays, regress the
/// discounted cash flow of the current policy on the basis (`gsl_multifit_linear`);
/// stop where the payoff exceeds the fitted continuation value. The value is the mean
/// discounted cash flow of the resulting policy.
public enum OptimalStopping {
    public static func longstaffSchwartz(_ problem: StoppingProblem) throws -> StoppingSolution {
        let n = problem.paths
        let dates = problem.dates
        // Cash flow of each path under the policy so far, and the date it is received.
        var cash = [Double](repeating: 0, count: n)
        var when = [Int?](repeating: nil, count: n)
        var coefficients = [[Double]?](repeating: nil, count: dates)
        var payoffCoefficients = [[Double]?](repeating: nil, count: dates)
        // Last date: stop where the (fitted, with regressPayoff) payoff is positive.
        let lastRows = (0..<n).filter { problem.decisionRegion($0, dates) }
        var lastFitted: [Int: Double] = [:]
        if problem.regressPayoff, let width = lastRows.first.map({ problem.basis($0, dates).count }),
            lastRows.count > 4 * width
        {
            let xs = lastRows.map { problem.basis($0, dates) }
            let b = try LeastSquares.fit(
                design: xs.flatMap { $0 }, rows: lastRows.count, columns: width, y: lastRows.map { problem.payoff($0, dates) })
            payoffCoefficients[dates - 1] = b
            for (k, p) in lastRows.enumerated() { lastFitted[p] = zip(b, xs[k]).reduce(0) { $0 + $1.0 * $1.1 } }
        }
        for p in lastRows {
            let value = problem.payoff(p, dates)
            if (problem.regressPayoff ? (lastFitted[p] ?? -1) : value) > 0 {
                cash[p] = value
                when[p] = dates
            }
        }
        for date in stride(from: dates - 1, through: 1, by: -1) {
            var rows: [Int] = []
            rows.reserveCapacity(n)
            var payoffs = [Double](repeating: 0, count: n)
            for p in 0..<n {
                payoffs[p] = problem.payoff(p, date)
                if problem.decisionRegion(p, date) { rows.append(p) }
            }
            guard let width = rows.first.map({ problem.basis($0, date).count }), rows.count > 4 * width else { continue }
            var design: [Double] = []
            design.reserveCapacity(rows.count * width)
            var y: [Double] = []
            y.reserveCapacity(rows.count)
            var regressors: [[Double]] = []
            regressors.reserveCapacity(rows.count)
            for p in rows {
                let x = problem.basis(p, date)
                regressors.append(x)
                design += x
                y.append(when[p].map { cash[p] * pow(problem.discountPerDate, Double($0 - date)) } ?? 0)
            }
            let c = try LeastSquares.fit(design: design, rows: rows.count, columns: width, y: y)
            coefficients[date - 1] = c
            var fittedPayoff: [Double]?
            if problem.regressPayoff {
                let b = try LeastSquares.fit(design: design, rows: rows.count, columns: width, y: rows.map { payoffs[$0] })
                payoffCoefficients[date - 1] = b
                fittedPayoff = regressors.map { x in zip(b, x).reduce(0) { $0 + $1.0 * $1.1 } }
            }
            for (k, p) in rows.enumerated() {
                let continuation = zip(c, regressors[k]).reduce(0) { $0 + $1.0 * $1.1 }
                let value = fittedPayoff?[k] ?? payoffs[p]
                if value > 0 && value > continuation {
                    cash[p] = payoffs[p]
                    when[p] = date
                }
            }
        }
        let discounted = (0..<n).map { p in when[p].map { cash[p] * pow(problem.discountPerDate, Double($0)) } ?? 0 }
        let mean = discounted.reduce(0, +) / Double(n)
        // The independent units: paths, or antithetic pairs' means.
        let units = problem.antitheticPairs && n % 2 == 0 && n >= 4
            ? stride(from: 0, to: n, by: 2).map { (discounted[$0] + discounted[$0 + 1]) / 2 } : discounted
        let variance = units.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(units.count - 1, 1))
        return StoppingSolution(
            coefficients: coefficients, payoffCoefficients: payoffCoefficients, value: mean,
            standardError: (variance / Double(units.count)).squareRoot(), stoppingDates: when, discountedPayoffs: discounted)
    }
}
