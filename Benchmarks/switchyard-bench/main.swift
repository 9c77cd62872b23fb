// SPDX-License-Identifier: GPL-3.0-or-later
//
// Release-mode benchmarks. Run: swift run -c release switchyard-bench <name> [options]
// Figures and the commands that produced them are recorded in BENCHMARKS.md.

import Foundation
import MMcQueue
import SwitchyardEngine
import SwitchyardModel
import SwitchyardRisk
import SwitchyardStochastic

/// Wall-clock seconds of `body`, with its result.
func timed<T>(_ body: () throws -> T) rethrows -> (seconds: Double, value: T) {
    let start = DispatchTime.now().uptimeNanoseconds
    let value = try body()
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, value)
}

/// `--name value` options after the benchmark name.
struct Options {
    var values: [String: String] = [:]
    init(_ arguments: ArraySlice<String>) {
        var iterator = arguments.makeIterator()
        while let key = iterator.next() {
            guard key.hasPrefix("--"), let value = iterator.next() else {
                fail("expected --option value, got '\(key)'")
            }
            values[String(key.dropFirst(2))] = value
        }
    }
    func int(_ name: String, _ fallback: Int) -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else { fail("--\(name): not an integer: \(text)") }
        return value
    }
    func double(_ name: String, _ fallback: Double) -> Double {
        guard let text = values[name] else { return fallback }
        guard let value = Double(text) else { fail("--\(name): not a number: \(text)") }
        return value
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("switchyard-bench: \(message)\n".utf8))
    exit(2)
}

/// M/M/c through the engine's public resource API (issue: >= 10 M events/s).
func engineBenchmark(_ options: Options) {
    let servers = options.int("servers", 4)
    let rho = options.double("rho", 0.9)
    let customers = options.int("customers", 2_000_000)
    let repeats = options.int("repeats", 3)
    let seed = UInt64(options.int("seed", 42))
    let serviceRate = 1.0
    let arrivalRate = rho * Double(servers) * serviceRate
    var best = Double.infinity
    var events = 0
    var meanWait = 0.0
    for _ in 0..<repeats {
        let (seconds, result) = timed { () -> (Int, Double) in
            var simulation = Simulation<MMcQueue.Event>()
            var model = MMcQueue(
                servers: servers, arrivalRate: arrivalRate, serviceRate: serviceRate, customers: customers,
                seed: seed, simulation: &simulation)
            simulation.run(&model)
            precondition(model.departed == customers)
            return (simulation.eventsFired, model.totalWait / Double(customers))
        }
        best = min(best, seconds)
        (events, meanWait) = result
    }
    let exact = ErlangC.meanWait(servers: servers, arrivalRate: arrivalRate, serviceRate: serviceRate)
    print("benchmark: engine M/M/\(servers), rho=\(rho), customers=\(customers), best of \(repeats)")
    print(String(format: "events: %d", events))
    print(String(format: "wall_seconds: %.4f", best))
    print(String(format: "events_per_second: %.0f", Double(events) / best))
    print(String(format: "customers_per_second: %.0f", Double(customers) / best))
    print(String(format: "mean_wait: %.5f (Erlang C: %.5f)", meanWait, exact))
}

/// GSL-backed draws: standard normals per second and 10-year daily GBM paths per second.
func stochasticBenchmark(_ options: Options) {
    let draws = options.int("draws", 20_000_000)
    let paths = options.int("paths", 20_000)
    let stream = RandomStream(seed: 42, path: 0, process: .bitcoinPrice)
    var best = Double.infinity
    var sink = 0.0
    for _ in 0..<3 {
        let (seconds, sum) = timed { () -> Double in
            var sum = 0.0
            for _ in 0..<draws { sum += stream.normal() }
            return sum
        }
        best = min(best, seconds)
        sink += sum
    }
    print("benchmark: stochastic (GSL \(StochasticLibrary.gslVersion), \(stream.kind.rawValue)), best of 3")
    print(String(format: "normal_draws_per_second: %.0f", Double(draws) / best))
    let gbm = GeometricBrownianMotion(drift: 0.2, volatility: 0.75)
    best = .infinity
    for _ in 0..<3 {
        let (seconds, last) = timed { () -> Double in
            var last = 0.0
            for _ in 0..<paths { last += gbm.path(from: 90_000, steps: 3_650, years: 1.0 / 365, stream: stream).last! }
            return last
        }
        best = min(best, seconds)
        sink += last
    }
    print(String(format: "gbm_10y_daily_paths_per_second: %.0f (%d steps each)", Double(paths) / best, 3_650))
    // Exponentials of blocks of 128 log-levels (as the site model's environment does),
    // by the block kernel and by the C library one at a time.
    let blocks = options.int("exp-blocks", 200_000)
    let arguments = (0..<128).map { _ in 11.0 + 0.01 * stream.normal() }
    var block = arguments
    best = .infinity
    for _ in 0..<3 {
        let (seconds, sum) = timed { () -> Double in
            var sum = 0.0
            for _ in 0..<blocks {
                for j in 0..<128 { block[j] = arguments[j] }
                BlockExp.exponentiate(&block, count: 128)
                sum += block[blocks & 127]
            }
            return sum
        }
        best = min(best, seconds)
        sink += sum
    }
    let blockNanoseconds = best / Double(blocks * 128) * 1e9
    best = .infinity
    for _ in 0..<3 {
        let (seconds, sum) = timed { () -> Double in
            var sum = 0.0
            for _ in 0..<blocks {
                for j in 0..<128 { block[j] = exp(arguments[j]) }
                sum += block[blocks & 127]
            }
            return sum
        }
        best = min(best, seconds)
        sink += sum
    }
    print(
        String(
            format: "exp_ns_per_value: block %.2f (%@), libm %.2f (blocks of 128, copy included)", blockNanoseconds,
            BlockExp.usesAVX2 ? "AVX2" : "baseline", best / Double(blocks * 128) * 1e9))
    if sink.isNaN { print("unreachable") }
}

/// One 10-year path of the 200 MW reference site: wall time and events.
func siteBenchmark(_ options: Options) {
    let name = options.values["scenario"] ?? "texas-200mw"
    let repeats = options.int("repeats", 5)
    var scenario: Scenario
    do { scenario = try ScenarioLoader.builtin(name) } catch { fail("\(error)") }
    // The issues define the benchmark on a 10-year path, whatever the scenario's horizon.
    scenario.horizonMonths = options.int("months", 120)
    var best = Double.infinity
    var events = 0
    var npv = 0.0
    for repeat_ in 0..<repeats {
        let (seconds, result) = timed { SiteModel.run(scenario: scenario, seed: 1, path: UInt64(repeat_)) }
        best = min(best, seconds)
        events = result.eventsFired
        npv = result.npvUSD
    }
    print("benchmark: site \(name), \(scenario.horizonMonths) months, step \(scenario.stepHours) h, best of \(repeats)")
    print(String(format: "wall_seconds_per_path: %.5f", best))
    print(String(format: "events_per_path: %d", events))
    print(String(format: "events_per_second: %.0f", Double(events) / best))
    print(String(format: "npv_usd_last_path: %.0f", npv))
}

/// Monte Carlo risk run of the 200 MW reference site: wall time per thread count and
/// peak resident memory of the process.
func riskBenchmark(_ options: Options) {
    let paths = options.int("paths", 10_000)
    let threadCounts = (options.values["threads"] ?? "1,2").split(separator: ",").compactMap { Int($0) }
    var scenario: Scenario
    do { scenario = try ScenarioLoader.builtin(options.values["scenario"] ?? "texas-200mw") } catch { fail("\(error)") }
    scenario.horizonMonths = options.int("months", 120)
    print("benchmark: risk \(scenario.name), \(paths) paths x \(scenario.horizonMonths) months")
    var first: Double?
    var mean: Double?
    for threads in threadCounts {
        let (seconds, outcome) = timed {
            Result { () throws(NonFiniteResult) in try RiskRunner.run(scenario: scenario, settings: RiskSettings(paths: paths, seed: 1, threads: threads)) }
        }
        guard case .success(let result) = outcome else { fail("a path gave a non-finite result") }
        first = first ?? seconds
        if let mean, mean != result.npv.mean { fail("results differ between thread counts") }
        mean = result.npv.mean
        print(String(format: "threads %d: wall_seconds %.2f, paths_per_second %.0f, speedup %.2fx", threads, seconds, Double(paths) / seconds, first! / seconds))
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    print(String(format: "peak_rss_mb: %.1f", Double(usage.ru_maxrss) / 1024))
    print(String(format: "mean_npv_usd: %.0f", mean ?? .nan))
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "engine":
    engineBenchmark(Options(arguments.dropFirst()))
case "stochastic":
    stochasticBenchmark(Options(arguments.dropFirst()))
case "site":
    siteBenchmark(Options(arguments.dropFirst()))
case "risk":
    riskBenchmark(Options(arguments.dropFirst()))
case "lsm":
    lsmBenchmark(Options(arguments.dropFirst()))
case "lsm-table":
    lsmTableBenchmark(Options(arguments.dropFirst()))
case "mcdonald-siegel":
    mcDonaldSiegelBenchmark(Options(arguments.dropFirst()))
case "fork":
    forkBenchmark(Options(arguments.dropFirst()))
default:
    print(
        """
        usage: switchyard-bench <benchmark> [--option value ...]
          engine   M/M/c queue through the engine's public API
                   [--servers 4] [--rho 0.9] [--customers 2000000] [--repeats 3] [--seed 42]
          stochastic  GSL normal draws per second, 10-year daily GBM paths per second
                   [--draws 20000000] [--paths 20000]
          site     one path of a built-in site: wall time and events
                   [--scenario texas-200mw] [--repeats 5]
          risk     Monte Carlo run: wall time per thread count, speed-up, peak memory
                   [--paths 10000] [--threads 1,2] [--scenario texas-200mw]
          lsm      Longstaff-Schwartz Table 1 puts (3 rows, as Benchmarks/peers/lsm_peer.py)
                   [--paths 100000] [--repeats 3] [--threads N]
          lsm-table  all 20 rows of Table 1: LSM with its pair-aware SE against a lattice
                   [--paths 100000] [--seed 2001] [--threads N]
          fork     the planner's payoff runs (a start at every decision month), from month 1
                   and forked from each path's never run [--paths 200] [--step 6] [--threads N]
        """)
    exit(arguments.isEmpty ? 0 : 2)
}
