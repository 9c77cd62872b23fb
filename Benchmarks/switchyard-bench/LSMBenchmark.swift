// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardPlanner
import SwitchyardStochastic

/// Longstaff-Schwartz (2001) Table 1 rows, as `Benchmarks/peers/lsm_peer.py` prices
/// them with the PyPI package `lsm-option-pricing` (numpy): American put, K 40, r 6%,
/// 50 exercise dates a year, antithetic paths, weighted Laguerre basis of degree 3.
/// Wall time counts the paths' simulation and the regressions, as the peer's does.
func lsmBenchmark(_ options: Options) {
    let paths = options.int("paths", 100_000)
    let repeats = options.int("repeats", 3)
    let threads = options.int("threads", ProcessInfo.processInfo.activeProcessorCount)
    let rows: [(spot: Double, sigma: Double, years: Double, table: Double)] = [(36, 0.2, 1, 4.478), (40, 0.4, 2, 6.920), (44, 0.2, 2, 1.690)]
    print("spot,sigma,years,price,se,table1,seconds_best_of_\(repeats)")
    for row in rows {
        var best = Double.infinity
        var solution: StoppingSolution?
        for r in 0..<repeats {
            let (seconds, value) = timed { () -> StoppingSolution in
                lsmPut(spot: row.spot, sigma: row.sigma, years: row.years, paths: paths, seed: UInt64(7 + r), threads: threads)
            }
            best = min(best, seconds)
            solution = value
        }
        print(String(format: "%.0f,%.1f,%.0f,%.4f,%.4f,%.3f,%.3f", row.spot, row.sigma, row.years, solution!.value, solution!.standardError, row.table, best))
    }
}

func lsmPut(spot: Double, sigma: Double, years: Double, paths: Int, seed: UInt64, threads: Int) -> StoppingSolution {
    let (strike, rate) = (40.0, 0.06)
    let dates = Int(50 * years)
    let pairs = paths / 2
    let n = 2 * pairs
    let dt = years / Double(dates)
    let drift = (rate - sigma * sigma / 2) * dt
    let vol = sigma * dt.squareRoot()
    let laguerre = StoppingBasis.laguerre(degree: 2)
    let fill = laguerre.filler()
    let t0 = DispatchTime.now().uptimeNanoseconds
    defer { if ProcessInfo.processInfo.environment["LSM_SPLIT"] != nil { FileHandle.standardError.write(Data("generation+lsm \(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)\n".utf8)) } }
    // Date-major (all paths of date 1, then of date 2, ...): each date's work reads
    // one contiguous block, not one number every `dates` numbers. The exponentials of
    // a date's log spots are taken a block at a time (BlockExp), not one libm call each.
    // (Not zeroed first: every entry is written below; zeroing 40-80 MB costs a pass.)
    var simulated = [Double](unsafeUninitializedCapacity: n * dates) { _, count in count = n * dates }
    // Sixteen blocks of pairs, each with its own stream (keyed by the block), on the
    // threads there are: the paths do not depend on the thread count.
    let blocks = 16
    let perBlock = (pairs + blocks - 1) / blocks
    simulated.withUnsafeMutableBufferPointer { out in
        do {
            let target = SendablePointer(base: out.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: max(1, min(threads, blocks))) { worker in
                var block = worker
                while block < blocks {
                    let stream = RandomStream(seed: seed, path: UInt64(block), process: .auxiliary)
                    let first = block * perBlock
                    let last = min(pairs, first + perBlock)
                    if first < last {
                        let m = last - first
                        // ln S of the block's up and down paths, and a scratch row of 2m.
                        var logUp = [Double](repeating: log(spot), count: m)
                        var logDown = logUp
                        var row = [Double](repeating: 0, count: 2 * m)
                        for d in 0..<dates {
                            for k in 0..<m {
                                let z = stream.normal()
                                logUp[k] += drift + vol * z
                                logDown[k] += drift - vol * z
                                row[2 * k] = logUp[k]
                                row[2 * k + 1] = logDown[k]
                            }
                            BlockExp.exponentiate(&row, count: 2 * m)
                            let base = target.base + d * n + 2 * first
                            for j in 0..<(2 * m) { base[j] = row[j] }
                        }
                    }
                    block += max(1, min(threads, blocks))
                }
            }
        }
    }
    // The closures read the paths through a pointer: no reference count touched per
    // call (two threads retaining one array at every call would fight over it).
    return simulated.withUnsafeBufferPointer { spots in
        do {
            var problem = StoppingProblem(
                paths: n, dates: dates, discountPerDate: exp(-rate * dt),
                payoff: { p, d in max(strike - spots[(d - 1) * n + p], 0) },
                basis: { _, _ in [] }
            ).withBasis(width: laguerre.width) { p, d, into in
                // Weighted Laguerre polynomials of S/K, as in the paper.
                fill(spots[(d - 1) * n + p] / strike, into)
            }
            problem.antitheticPairs = true
            problem.threads = threads
            return try! OptimalStopping.longstaffSchwartz(problem)
        }
    }
}

/// A pointer the generating threads write through, each to its own paths.
struct SendablePointer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
}

/// All 20 rows of Table 1 (S 36-44, sigma 0.2 and 0.4, T 1 and 2): the LSM price with
/// its pair-aware standard error against the lattice, and how many rows lie within 2
/// and 3 standard errors.
func lsmTableBenchmark(_ options: Options) {
    let paths = options.int("paths", 100_000)
    let threads = options.int("threads", ProcessInfo.processInfo.activeProcessorCount)
    let seed = UInt64(options.int("seed", 2001))
    print("spot,sigma,years,lsm,pair_se,lattice,z,seconds")
    var within2 = 0
    var within3 = 0
    var rows = 0
    for spot in [36.0, 38, 40, 42, 44] {
        for sigma in [0.2, 0.4] {
            for years in [1.0, 2.0] {
                let reference = OptimalStopping.bermudanPutLattice(spot: spot, strike: 40, rate: 0.06, sigma: sigma, years: years)
                let (seconds, solution) = timed {
                    lsmPut(spot: spot, sigma: sigma, years: years, paths: paths, seed: seed &+ UInt64(rows), threads: threads)
                }
                let z = (solution.value - reference) / solution.standardError
                if abs(z) <= 2 { within2 += 1 }
                if abs(z) <= 3 { within3 += 1 }
                rows += 1
                print(String(format: "%.0f,%.1f,%.0f,%.4f,%.4f,%.4f,%+.2f,%.3f", spot, sigma, years, solution.value, solution.standardError, reference, z, seconds))
            }
        }
    }
    print("within 2 SE: \(within2) of \(rows); within 3 SE: \(within3) of \(rows)")
}

/// The McDonald-Siegel option to invest (r = delta = 4%, sigma 20%, I = 1: V* = 2) by
/// least squares with quarterly exercise over 60 years, for several bases: per seed,
/// the continuity-corrected trigger (the fitted boundary averaged over the first 20
/// dates, five years in which the 60-year horizon moves the Bermudan boundary by less
/// than 0.05%), and the fitted rule's value at V0 = 1 on fresh paths against a grid
/// Bermudan; over the seeds, the mean trigger and its spread.
func mcDonaldSiegelBenchmark(_ options: Options) {
    let seeds = options.int("seeds", 20)
    let n = options.int("paths", 30_000)
    let fresh = options.int("fresh", 20_000)
    let (rate, delta, sigma, cost) = (0.04, 0.04, 0.2, 1.0)
    let (years, perYear) = (60.0, 4)
    let dates = Int(years) * perYear
    let dt = 1 / Double(perYear)
    let correction = exp(0.5826 * sigma * dt.squareRoot())
    let grid = OptimalStopping.bermudanGrid(
        spot: 1, rate: rate, dividendYield: delta, sigma: sigma, dt: dt, dates: dates, lower: 0.01, upper: 50) { $0 - cost }
    print(String(format: "grid Bermudan: value at V0 = 1 %.5f; date-1 boundary %.4f, corrected %.4f (McDonald-Siegel 2)", grid.value, grid.boundaries[0] ?? .nan, (grid.boundaries[0] ?? .nan) * correction))
    for choice in [StoppingBasis.polynomial(degree: 3), .polynomial(degree: 2), .cubicSpline(knots: [1.5, 2.5, 3.5])] {
        let (name, width, fill) = (choice.description, choice.width, choice.filler())
        var triggers: [Double] = []
        var zs: [Double] = []
        var directZs: [Double] = []
        var outZs: [Double] = []
        for s in 0..<seeds {
            let stream = RandomStream(seed: 1977 &+ UInt64(s), path: 0, process: .auxiliary)
            var values = [Double](repeating: 0, count: n * dates)
            for p in 0..<n {
                var v = exp(log(0.5) + (log(4.0) - log(0.5)) * stream.uniform())
                for d in 0..<dates {
                    v *= exp((rate - delta - sigma * sigma / 2) * dt + sigma * dt.squareRoot() * stream.normal())
                    values[d * n + p] = v
                }
            }
            /// Least squares on date-major values (path p at date d: values[(d - 1) n + p]).
            func solve(_ values: [Double], pairs: Bool) -> StoppingSolution {
                values.withUnsafeBufferPointer { values in
                    var problem = StoppingProblem(
                        paths: n, dates: dates, discountPerDate: exp(-rate * dt),
                        payoff: { p, d in values[(d - 1) * n + p] - cost }, basis: { _, _ in [] }
                    ).withBasis(width: width) { p, d, x in fill(values[(d - 1) * n + p], x) }
                    problem.threads = 2
                    problem.antitheticPairs = pairs
                    return try! OptimalStopping.longstaffSchwartz(problem)
                }
            }
            let solution = solve(values, pairs: false)
            let basis: (Double) -> [Double] = { v in
                [Double](unsafeUninitializedCapacity: width) { b, count in fill(v, b.baseAddress!); count = width }
            }
            let starts = (1...20).compactMap { solution.exerciseRegion(date: $0, in: 1...5, payoff: { $0 - cost }, basis: basis).first?.lowerBound }
            guard starts.count == 20 else { print("\(name) seed \(s): no exercise region at some date"); continue }
            triggers.append(starts.reduce(0, +) / 20 * correction)
            // The rule on fresh paths from V0 = 1.
            let other = RandomStream(seed: 1977 &+ UInt64(s), path: 1, process: .auxiliary)
            var sum = 0.0
            var squares = 0.0
            for _ in 0..<fresh {
                var v = 1.0
                var paid = 0.0
                for d in 1...dates {
                    v *= exp((rate - delta - sigma * sigma / 2) * dt + sigma * dt.squareRoot() * other.normal())
                    if solution.stops(date: d, payoff: v - cost, basis: basis(v)) {
                        paid = (v - cost) * exp(-rate * dt * Double(d))
                        break
                    }
                }
                sum += paid
                squares += paid * paid
            }
            let mean = sum / Double(fresh)
            let se = ((squares / Double(fresh) - mean * mean) / Double(fresh - 1)).squareRoot()
            zs.append((mean - grid.value) / se)
            // Least squares on paths that all start at V0 = 1 (antithetic pairs): its own value.
            var fromOne = [Double](repeating: 0, count: n * dates)
            let third = RandomStream(seed: 1977 &+ UInt64(s), path: 2, process: .auxiliary)
            for p in stride(from: 0, to: n, by: 2) {
                var (a, b) = (1.0, 1.0)
                for d in 0..<dates {
                    let z = third.normal()
                    a *= exp((rate - delta - sigma * sigma / 2) * dt + sigma * dt.squareRoot() * z)
                    b *= exp((rate - delta - sigma * sigma / 2) * dt - sigma * dt.squareRoot() * z)
                    fromOne[d * n + p] = a
                    fromOne[d * n + p + 1] = b
                }
            }
            let direct = solve(fromOne, pairs: true)
            directZs.append((direct.value - grid.value) / direct.standardError)
            // That rule on fresh paths from V0 = 1 (antithetic pairs): an unbiased low estimate.
            let fourth = RandomStream(seed: 1977 &+ UInt64(s), path: 3, process: .auxiliary)
            var pairs: [Double] = []
            for _ in 0..<(fresh / 2) {
                let shocks = (0..<dates).map { _ in fourth.normal() }
                var pair = 0.0
                for sign in [1.0, -1.0] {
                    var v = 1.0
                    for d in 1...dates {
                        v *= exp((rate - delta - sigma * sigma / 2) * dt + sign * sigma * dt.squareRoot() * shocks[d - 1])
                        if direct.stops(date: d, payoff: v - cost, basis: basis(v)) {
                            pair += (v - cost) * exp(-rate * dt * Double(d)) / 2
                            break
                        }
                    }
                }
                pairs.append(pair)
            }
            let pm = pairs.reduce(0, +) / Double(pairs.count)
            let pse = (pairs.reduce(0) { $0 + ($1 - pm) * ($1 - pm) } / Double(pairs.count - 1) / Double(pairs.count)).squareRoot()
            outZs.append((pm - grid.value) / pse)
        }
        let mean = triggers.reduce(0, +) / Double(max(1, triggers.count))
        let sd = (triggers.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, triggers.count - 1))).squareRoot()
        print(String(format: "%@: %d seeds, mean trigger %.4f (%+.2f%% from 2, SE of the mean %.2f%%), sd of one seed %.4f (%.2f%%), min %.4f, max %.4f; value at V0 = 1 against the grid: z from %+.2f to %+.2f, %d of %d within 3", name, triggers.count, mean, (mean / 2 - 1) * 100, sd / Double(max(1, triggers.count)).squareRoot() / 2 * 100, sd, sd / 2 * 100, triggers.min() ?? .nan, triggers.max() ?? .nan, zs.min() ?? .nan, zs.max() ?? .nan, zs.filter { abs($0) <= 3 }.count, zs.count))
        print(String(format: "  least squares from V0 = 1 (its own value, pair SE): z from %+.2f to %+.2f, %d of %d within 3", directZs.min() ?? .nan, directZs.max() ?? .nan, directZs.filter { abs($0) <= 3 }.count, directZs.count))
        print(String(format: "  that rule on fresh paths from V0 = 1 (pair SE): z from %+.2f to %+.2f, mean %+.2f, %d of %d within 3", outZs.min() ?? .nan, outZs.max() ?? .nan, outZs.reduce(0, +) / Double(max(1, outZs.count)), outZs.filter { abs($0) <= 3 }.count, outZs.count))
    }
}
