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
    public var decisionRegion: (_ path: Int, _ date: Int) -> Bool {
        didSet { defaultRegion = false }
    }
    /// Decide on a *fitted* stopping value too: when the payoff of stopping is itself
    /// an uncertain future (a conversion's value), comparing its realised value would
    /// use the path's future. The cash flows recorded stay realised.
    public var regressPayoff = false
    /// Paths 2k and 2k + 1 are antithetic twins (one drawn with Z, the other with -Z):
    /// the standard error is then taken over the pairs' means, the independent units
    /// (over single paths it would be overstated when the twins are negatively
    /// correlated, as for puts and calls).
    public var antitheticPairs = false
    /// The regressors written into a buffer of `basisWidth` numbers instead of returned
    /// as an array: no allocation per path and date (set with ``withBasis(width:_:)``).
    public var basisInto: ((_ path: Int, _ date: Int, _ into: UnsafeMutablePointer<Double>) -> Void)?
    public var basisWidth = 0
    /// Threads for the work of each date (payoffs, regressors, sums, decisions). With
    /// more than one, `payoff`, `basis`, `basisInto` and `decisionRegion` are called
    /// from several threads at once and must only read shared data. The result does not
    /// depend on it.
    public var threads = 1
    /// Whether `decisionRegion` is the default (payoff > 0), which the solver then
    /// evaluates from the payoffs it has already computed.
    var defaultRegion = true

    /// The problem with its regressors written in place (`width` of them, the constant
    /// included): the fast form of `basis`, which stays the same function.
    public func withBasis(width: Int, _ fill: @escaping (_ path: Int, _ date: Int, _ into: UnsafeMutablePointer<Double>) -> Void) -> StoppingProblem {
        precondition(width > 0)
        var problem = self
        problem.basisWidth = width
        problem.basisInto = fill
        problem.basis = { p, d in
            [Double](unsafeUninitializedCapacity: width) { buffer, count in
                fill(p, d, buffer.baseAddress!)
                count = width
            }
        }
        return problem
    }

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
        self.defaultRegion = decisionRegion == nil
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

    /// The fitted rule applied to a new state at `date`: stop when the payoff is
    /// positive and above the fitted continuation value (as in fitting; where no
    /// regression was made, when the payoff is positive). How the rule is scored on
    /// paths it was not fitted on (an unbiased, low estimate of the value).
    public func stops(date: Int, payoff: Double, basis x: [Double]) -> Bool {
        guard payoff > 0 else { return false }
        guard let c = continuation(date: date, x) else { return true }
        return payoff > c
    }
}

/// A value handed to the chunks of `forEachChunk`. Why unchecked: the chunks only read
/// it (the problem's closures, the rows) or write through buffer pointers into disjoint
/// ranges (each chunk its own paths, rows or slot of a per-chunk array), and
/// `concurrentPerform` returns only when every chunk is done, so no access outlives
/// the buffers. The closures are the caller's: with `threads` > 1 they must only read
/// shared data (documented on ``StoppingProblem/threads``); with 1 no chunk runs
/// concurrently with another. Kept file-private to this solver.
fileprivate struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

extension OptimalStopping {
    /// Runs `body(chunk, range)` for `chunks` consecutive ranges of `0..<count`, on up to
    /// `threads` threads; which thread runs a chunk does not change what it computes.
    static func forEachChunk(count: Int, chunks: Int, threads: Int, _ body: @escaping (Int, Range<Int>) -> Void) {
        let size = (count + chunks - 1) / chunks
        let work = UncheckedBox(body)
        @Sendable func run(_ chunk: Int) {
            let start = min(count, chunk * size)
            work.value(chunk, start..<min(count, start + size))
        }
        if threads <= 1 {
            for chunk in 0..<chunks { run(chunk) }
        } else {
            DispatchQueue.concurrentPerform(iterations: threads) { worker in
                var chunk = worker
                while chunk < chunks {
                    run(chunk)
                    chunk += threads
                }
            }
        }
    }

    /// The least-squares coefficients from the normal equations X'X b = X'y by Cholesky;
    /// when X'X is not safely positive definite (collinear regressors), GSL's SVD-based
    /// fit of the rows instead (`y(path)` gives their targets).
    static func solve(
        _ xtx: [Double], _ xty: [Double], x: [Double], rows: [Int], width: Int, y: (Int) -> Double
    ) throws -> [Double] {
        if let solution = choleskySolve(xtx, xty, width: width) { return solution }
        return try LeastSquares.fit(design: Array(x.prefix(rows.count * width)), rows: rows.count, columns: width, y: rows.map(y))
    }

    /// Least squares of `y` on the rows of `x` as the solver does it (normal equations
    /// by Cholesky, SVD when they are singular): for tests against GSL.
    public static func regressForTests(_ x: [Double], rows: Int, width: Int, y: [Double]) throws -> [Double] {
        var xtx = [Double](repeating: 0, count: width * width)
        var xty = [Double](repeating: 0, count: width)
        for k in 0..<rows {
            for i in 0..<width {
                xty[i] += x[k * width + i] * y[k]
                for j in 0...i { xtx[i * width + j] += x[k * width + i] * x[k * width + j] }
            }
        }
        return try solve(xtx, xty, x: x, rows: Array(0..<rows), width: width) { y[$0] }
    }

    /// Solves A b = v for a symmetric positive definite A given by its lower triangle;
    /// nil when a pivot is not clearly positive (relative to the diagonal), so the
    /// caller falls back to a rank-revealing fit.
    static func choleskySolve(_ a: [Double], _ v: [Double], width n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard sum > 1e-10 * max(a[i * n + i], .leastNormalMagnitude), sum.isFinite else { return nil }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        var z = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var sum = v[i]
            for k in 0..<i { sum -= l[i * n + k] * z[k] }
            z[i] = sum / l[i * n + i]
        }
        var b = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = z[i]
            for k in (i + 1)..<n { sum -= l[k * n + i] * b[k] }
            b[i] = sum / l[i * n + i]
        }
        return b.allSatisfy(\.isFinite) ? b : nil
    }
}

extension OptimalStopping {
    /// A put exercisable on `datesPerYear` dates a year (a Bermudan put) on a
    /// Cox-Ross-Rubinstein lattice with `refine` steps between exercise dates: the
    /// reference least squares is checked against (Longstaff and Schwartz's Table 1,
    /// "finite difference American", is this with 50 dates a year).
    public static func bermudanPutLattice(
        spot: Double, strike: Double, rate: Double, sigma: Double, years: Double, datesPerYear: Int = 50, refine: Int = 40
    ) -> Double {
        let steps = max(1, Int((Double(datesPerYear) * years).rounded())) * refine
        let dt = years / Double(steps)
        let up = exp(sigma * dt.squareRoot())
        let p = (exp(rate * dt) - 1 / up) / (up - 1 / up)
        let discount = exp(-rate * dt)
        var values = (0...steps).map { j in max(strike - spot * pow(up, Double(2 * j - steps)), 0) }
        for step in stride(from: steps - 1, through: 0, by: -1) {
            for j in 0...step {
                let continuation = discount * (p * values[j + 1] + (1 - p) * values[j])
                let exercise = step > 0 && step % refine == 0 ? max(strike - spot * pow(up, Double(2 * j - step)), 0) : 0
                values[j] = max(continuation, exercise)
            }
        }
        return values[0]
    }
}

extension OptimalStopping {
    /// A Bermudan option on a geometric Brownian motion (drift rate - dividendYield,
    /// volatility sigma), exercisable at dates 1...dates, `dt` years apart, for
    /// `payoff(V)`, by backward induction on a uniform grid in log V: the expected value
    /// one date ahead is the convolution of the grid with the normal density of the
    /// log-increment (trapezoid weights on the grid, out to 8 standard deviations).
    /// Beyond the grid the option is taken as exercised (max(payoff, 0)): put the edges
    /// where that holds or where the value is negligible.
    ///
    /// - Returns: the value at `spot` (time 0, no exercise then: interpolated on the
    ///   grid) and, for each date, where exercise starts: the lowest V with a positive
    ///   payoff at least its continuation value, interpolated between grid points (nil:
    ///   no exercise at that date).
    public static func bermudanGrid(
        spot: Double, rate: Double, dividendYield: Double, sigma: Double, dt: Double, dates: Int,
        lower: Double, upper: Double, points: Int = 1_601, payoff: (Double) -> Double
    ) -> (value: Double, boundaries: [Double?]) {
        precondition(lower > 0 && upper > lower && points > 2 && dates > 0 && sigma > 0 && dt > 0)
        let x0 = log(lower)
        let h = (log(upper) - x0) / Double(points - 1)
        let grid = (0..<points).map { exp(x0 + Double($0) * h) }
        let pay = grid.map(payoff)
        let mean = (rate - dividendYield - sigma * sigma / 2) * dt
        let sd = sigma * dt.squareRoot()
        let reach = Int(((abs(mean) + 8 * sd) / h).rounded(.up))
        var weights = (-reach...reach).map { j -> Double in
            let z = (Double(j) * h - mean) / sd
            return exp(-z * z / 2)
        }
        let total = weights.reduce(0, +)
        for k in weights.indices { weights[k] /= total }
        let discount = exp(-rate * dt)
        // Beyond the edges: exercised.
        func outside(_ i: Int) -> Double { max(payoff(exp(x0 + Double(i) * h)), 0) }
        let left = (1...reach).map { outside(-$0) }
        let right = (1...reach).map { outside(points - 1 + $0) }
        var value = pay.map { max($0, 0) }
        var continuation = [Double](repeating: 0, count: points)
        var boundaries = [Double?](repeating: nil, count: dates)
        for date in stride(from: dates, through: 1, by: -1) {
            if date < dates {
                value.withUnsafeBufferPointer { v in
                    weights.withUnsafeBufferPointer { w in
                        for i in 0..<points {
                            var sum = 0.0
                            for j in -reach...reach {
                                let k = i + j
                                let next = k < 0 ? left[-k - 1] : k >= points ? right[k - points] : v[k]
                                sum += w[j + reach] * next
                            }
                            continuation[i] = discount * sum
                        }
                    }
                }
                for i in 0..<points { value[i] = max(pay[i], continuation[i]) }
            }
            if date == dates {
                boundaries[date - 1] = grid.indices.first { pay[$0] > 0 }.map { grid[$0] }
            } else if let i = grid.indices.first(where: { pay[$0] > 0 && pay[$0] >= continuation[$0] }) {
                // Between grid points: where payoff minus continuation crosses zero.
                if i > 0 && pay[i - 1] > 0 {
                    let (a, b) = (pay[i - 1] - continuation[i - 1], pay[i] - continuation[i])
                    boundaries[date - 1] = grid[i - 1] + (grid[i] - grid[i - 1]) * a / (a - b)
                } else {
                    boundaries[date - 1] = grid[i]
                }
            }
        }
        // Time 0: the expectation of the value at date 1, interpolated at the spot.
        var atZero = [Double](repeating: 0, count: points)
        for i in 0..<points {
            var sum = 0.0
            for j in -reach...reach {
                let k = i + j
                sum += weights[j + reach] * (k < 0 ? left[-k - 1] : k >= points ? right[k - points] : value[k])
            }
            atZero[i] = discount * sum
        }
        let position = (log(spot) - x0) / h
        let i = min(max(0, Int(position.rounded(.down))), points - 2)
        let f = position - Double(i)
        return ((1 - f) * atZero[i] + f * atZero[i + 1], boundaries)
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
        // Discount factors by lag, once.
        let discountByLag = (0...dates).map { pow(problem.discountPerDate, Double($0)) }
        // The work of a date is split into a fixed number of chunks of paths (or rows),
        // whatever the thread count, and partial sums are added in chunk order: the
        // result is the same bits for 1 thread or many.
        let chunkCount = 16
        let threads = max(1, min(problem.threads, chunkCount))
        let shared = UncheckedBox(problem)
        var regressors: [Double] = []
        var payoffs = [Double](repeating: 0, count: n)
        for date in stride(from: dates - 1, through: 1, by: -1) {
            // Payoffs and the rows that may stop, chunk by chunk.
            var chunkRows = [[Int]](repeating: [], count: chunkCount)
            payoffs.withUnsafeMutableBufferPointer { out in
                let payoffOut = UncheckedBox(out)
                chunkRows.withUnsafeMutableBufferPointer { rowsOut in
                    let rowsBox = UncheckedBox(rowsOut)
                    Self.forEachChunk(count: n, chunks: chunkCount, threads: threads) { chunk, range in
                        // The closures loaded once, not at every call.
                        let payoff = shared.value.payoff
                        let region = shared.value.defaultRegion ? nil : shared.value.decisionRegion
                        let out = payoffOut.value
                        // Every path is written, the count moves on only for those that
                        // may stop: no branch to mispredict on half the paths.
                        rowsBox.value[chunk] = [Int](unsafeUninitializedCapacity: range.count) { mine, count in
                            var c = 0
                            for p in range {
                                let value = payoff(p, date)
                                out[p] = value
                                mine[c] = p
                                if let region { c += region(p, date) ? 1 : 0 } else { c += value > 0 ? 1 : 0 }
                            }
                            count = c
                        }
                    }
                }
            }
            let rows = chunkRows.flatMap { $0 }
            guard let first = rows.first else { continue }
            let width = problem.basisInto != nil ? problem.basisWidth : problem.basis(first, date).count
            guard rows.count > 4 * width else { continue }
            // The regressors once per row, and the normal equations' partial sums
            // X'X and X'y of each chunk of rows.
            if regressors.count < rows.count * width { regressors = [Double](repeating: 0, count: rows.count * width) }
            var partialXX = [[Double]](repeating: [], count: chunkCount)
            var partialXY = [[Double]](repeating: [], count: chunkCount)
            var partialPY = [[Double]](repeating: [], count: chunkCount)
            let regressPayoff = problem.regressPayoff
            let lags = discountByLag
            let rowsBox = UncheckedBox(rows)
            cash.withUnsafeBufferPointer { cashIn in
                when.withUnsafeBufferPointer { whenIn in
                    payoffs.withUnsafeBufferPointer { payoffIn in
                        regressors.withUnsafeMutableBufferPointer { x in
                            let io = UncheckedBox((cashIn, whenIn, payoffIn, x))
                            partialXX.withUnsafeMutableBufferPointer { xxOut in
                                partialXY.withUnsafeMutableBufferPointer { xyOut in
                                    partialPY.withUnsafeMutableBufferPointer { pyOut in
                                        let outs = UncheckedBox((xxOut, xyOut, pyOut))
                                        Self.forEachChunk(count: rows.count, chunks: chunkCount, threads: threads) { chunk, range in
                                            let fillBasis = shared.value.basisInto
                                            let basis = shared.value.basis
                                            let rows = rowsBox.value
                                            let (cash, when, payoffs, x) = io.value
                                            var xx = [Double](repeating: 0, count: width * width)
                                            var xy = [Double](repeating: 0, count: width)
                                            var py = [Double](repeating: 0, count: regressPayoff ? width : 0)
                                            // The regressors of the chunk's rows first (the closure unwrapped
                                            // once: unwrapping it in the loop retains it at every row).
                                            if let fill = fillBasis {
                                                for k in range { fill(rows[k], date, x.baseAddress! + k * width) }
                                            } else {
                                                for k in range {
                                                    let b = basis(rows[k], date)
                                                    precondition(b.count == width, "the basis must have the same length at every state of a date")
                                                    for j in 0..<width { x[k * width + j] = b[j] }
                                                }
                                            }
                                            for k in range {
                                                let p = rows[k]
                                                let row = x.baseAddress! + k * width
                                                var y = 0.0
                                                if let w = when[p] { y = cash[p] * lags[w - date] }
                                                for i in 0..<width {
                                                    let xi = row[i]
                                                    xy[i] += xi * y
                                                    if regressPayoff { py[i] += xi * payoffs[p] }
                                                    for j in 0...i { xx[i * width + j] += xi * row[j] }
                                                }
                                            }
                                            outs.value.0[chunk] = xx
                                            outs.value.1[chunk] = xy
                                            outs.value.2[chunk] = py
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            func total(_ parts: [[Double]], _ count: Int) -> [Double] {
                var sum = [Double](repeating: 0, count: count)
                for part in parts where !part.isEmpty { for i in 0..<count { sum[i] += part[i] } }
                return sum
            }
            let xtx = total(partialXX, width * width)
            let c = try Self.solve(xtx, total(partialXY, width), x: regressors, rows: rows, width: width) { p in
                when[p].map { cash[p] * discountByLag[$0 - date] } ?? 0
            }
            coefficients[date - 1] = c
            var b: [Double]?
            if regressPayoff {
                b = try Self.solve(xtx, total(partialPY, width), x: regressors, rows: rows, width: width) { payoffs[$0] }
                payoffCoefficients[date - 1] = b
            }
            // Decisions: each row is its own path, so the chunks write disjoint entries.
            regressors.withUnsafeBufferPointer { x in
                payoffs.withUnsafeBufferPointer { payoffIn in
                    cash.withUnsafeMutableBufferPointer { cashOut in
                        when.withUnsafeMutableBufferPointer { whenOut in
                            let io = UncheckedBox((x, payoffIn, cashOut, whenOut))
                            Self.forEachChunk(count: rows.count, chunks: chunkCount, threads: threads) { _, range in
                                let (x, payoffs, cash, when) = io.value
                                let rows = rowsBox.value
                                for k in range {
                                    let p = rows[k]
                                    var continuation = 0.0
                                    var fitted = 0.0
                                    for j in 0..<width {
                                        continuation += c[j] * x[k * width + j]
                                        if let b { fitted += b[j] * x[k * width + j] }
                                    }
                                    let value = b == nil ? payoffs[p] : fitted
                                    if value > 0 && value > continuation {
                                        cash[p] = payoffs[p]
                                        when[p] = date
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let discounted = (0..<n).map { p in when[p].map { cash[p] * discountByLag[$0] } ?? 0 }
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
